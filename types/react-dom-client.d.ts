// react-dom/client, as the H5 build uses it (src/services/wechat/index.h5.tsx mounts the stand-in
// cashier on <body>). The package ships no types and @types/react-dom is not installed; this is the
// part of its API the app calls.
declare module 'react-dom/client' {
  import type { ReactNode } from 'react'

  export interface Root {
    render(children: ReactNode): void
    unmount(): void
  }

  export function createRoot(container: Element | DocumentFragment): Root
}
