/**
 * A Button flag (disabled, loading) only when set: Taro's H5 Button renders `disabled={false}` as
 * disabled="false", which CSS's [disabled] matches, so a live button would look dead in the browser.
 */
export const buttonFlag = (flag: boolean | undefined): true | undefined => flag || undefined

/**
 * A Button's busy state. On H5, Taro's Button is a Stencil web component whose `loading` inserts a
 * spinner of its own in front of React's children; React's next insertBefore into that button then
 * throws NotFoundError and the button stops updating. There the state is an attribute and the app's
 * CSS draws the spinner (app.scss, [data-busy]); the mini-program keeps WeChat's own `loading`.
 */
export function busyButton(busy: boolean): { loading?: true; 'data-busy'?: 'true' | 'false' } {
  if (process.env.TARO_ENV === 'h5') return { 'data-busy': busy ? 'true' : 'false' }
  return { loading: buttonFlag(busy) }
}
