import type { PropsWithChildren } from 'react'
import './app.scss'

/** The app shell: each page renders itself; global state lives in services and storage. */
function App({ children }: PropsWithChildren) {
  return children
}

export default App
