// Jest reuses the app's Babel config. Jest sets NODE_ENV=test, and babel-preset-taro then
// targets the running Node, emits CommonJS and resolves @babel/runtime normally, which is
// all the tests need; the cache is keyed on NODE_ENV so a build's settings never leak in.
module.exports = (api) => {
  api.cache.using(() => process.env.NODE_ENV)
  return require('../../babel.config.js')
}
