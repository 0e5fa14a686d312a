/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript', tsx: false }, target: 'es2022' }, module: { type: 'commonjs' } },
]

const nodeProject = (displayName, roots, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  testMatch: roots.map((root) => `<rootDir>/${root}/**/*.test.ts`),
  // light-my-request (fastify.inject) requires cookie@2, which ships ES modules only; @fastify/cookie
  // (under @fastify/secure-session) loads it with import(), which Jest runs only when compiled to require.
  transform: { '^.+\\.ts$': swc, '/node_modules/(@fastify/)?cookie/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!cookie/|@fastify/cookie/)'],
  ...extra,
})

module.exports = {
  projects: [
    nodeProject('unit', ['server/test/unit', 'simulator/test']),
    nodeProject('server', ['server/test/http']),
    {
      displayName: 'app',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/test/app/**/*.test.tsx', '<rootDir>/test/app/**/*.test.ts'],
      transform: { '^.+\\.[jt]sx?$': ['babel-jest', { configFile: './test/app/babel.config.js' }] },
      moduleNameMapper: {
        '^@tarojs/components$': '<rootDir>/test/app/mocks/taro-components.tsx',
        '^@tarojs/taro$': '<rootDir>/test/app/mocks/taro.ts',
        '\\.(css|scss|sass)$': '<rootDir>/test/app/mocks/style.ts',
        '^@/(.*)$': '<rootDir>/src/$1',
      },
    },
    nodeProject('e2e', ['test/e2e'], { maxWorkers: 1 }),
    nodeProject('weapp', ['test/weapp']),
  ],
}
