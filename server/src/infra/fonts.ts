import { createRequire } from 'node:module'

const requireFont = createRequire(__filename)

/**
 * The CJK font for everything the server draws (PDFs, share cards): Noto Sans SC from the npm
 * registry (SIL OFL 1.1), so a fresh machine needs no system fonts. TrueType outlines, which
 * pdfkit subsets (a PDF embeds only the glyphs it uses) and @napi-rs/canvas draws.
 */
export const CJK_FONT = {
  regular: requireFont.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
  bold: requireFont.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
} as const
