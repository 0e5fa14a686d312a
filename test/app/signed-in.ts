import { act } from '@testing-library/react'
import { resetSession, setMe } from '@/store/session'
import { fakeApi, type FakeApi } from './fake-api'
import { me } from './fixtures'
import { resetTaroMock, storage } from './mocks/taro'

/** Lets React and the pending promises run (one macrotask) */
export const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))

/**
 * Before each test of the file: the mocks reset, a fresh scripted API (given to `use`), and a reader
 * signed in (token `tok`, the fixtures' `me()`).
 */
export function withSignedInReader(use: (api: FakeApi) => void): void {
  beforeEach(() => {
    jest.clearAllMocks()
    resetTaroMock()
    resetSession()
    use(fakeApi())
    storage.set('token', 'tok')
    setMe(me())
  })
}
