/**
 * A Button flag (disabled, loading) only when set: Taro's H5 Button renders `disabled={false}` as
 * disabled="false", which CSS's [disabled] matches, so a live button would look dead in the browser.
 */
export const buttonFlag = (flag: boolean | undefined): true | undefined => flag || undefined
