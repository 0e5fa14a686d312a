/**
 * @tarojs/components as plain host elements for jsdom. Props the DOM knows pass through;
 * Taro-only props become data-* attributes so tests can assert them (e.g. userSelect,
 * openType). Taro's own events (onGetPhoneNumber, onChooseAvatar …) are kept per element:
 * `fireTaroEvent(element, 'onGetPhoneNumber', { code })` calls the handler as Taro would.
 */
import { createElement, type FormEvent, type ReactNode } from 'react'

type Props = { children?: ReactNode } & Record<string, unknown>
type Handler = (event: { detail: unknown }) => unknown

const PASS = new Set(['className', 'id', 'style', 'onClick', 'disabled', 'role', 'title', 'name', 'placeholder'])

const toDataName = (name: string) => `data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

const taroHandlers = new WeakMap<Element, Record<string, Handler>>()

/** Calls the Taro event handler (e.g. onGetPhoneNumber) of an element with `detail`. */
export function fireTaroEvent(element: Element, name: string, detail: unknown): unknown {
  const handler = taroHandlers.get(element)?.[name]
  if (!handler) throw new Error(`the element has no ${name} handler`)
  return handler({ detail })
}

function domProps(displayName: string, props: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { 'data-taro': displayName }
  const handlers: Record<string, Handler> = {}
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue
    if (PASS.has(name) || name.startsWith('aria-') || name.startsWith('data-')) result[name] = value
    else if (/^on[A-Z]/.test(name) && typeof value === 'function') handlers[name] = value as Handler
    else if (typeof value !== 'function' && typeof value !== 'object') result[toDataName(name)] = String(value)
  }
  result.ref = (node: Element | null) => {
    if (node) taroHandlers.set(node, handlers)
  }
  return result
}

function host(tag: string, displayName: string) {
  const Component = ({ children, ...props }: Props) => createElement(tag, domProps(displayName, props), children)
  Component.displayName = displayName
  return Component
}

export const View = host('div', 'View')
export const Text = host('span', 'Text')
export const ScrollView = host('div', 'ScrollView')
export const Image = host('img', 'Image')
export const Navigator = host('a', 'Navigator')
export const OfficialAccount = host('div', 'OfficialAccount')
/** WeChat's player as a <video>: src, poster, initialTime … become data-*; fireTaroEvent plays its events (onTimeUpdate …) */
export const Video = host('video', 'Video')
export const Block = ({ children }: Props) => <>{children}</>

/** formType='submit' submits the enclosing Form, as in WeChat. */
export const Button = ({ children, formType, ...props }: Props) =>
  createElement(
    'button',
    { ...domProps('Button', props), type: formType === 'submit' ? 'submit' : 'button', 'data-form-type': formType },
    children,
  )

/** An uncontrolled input: `value` is where it starts, as the WeChat input behaves for a form. */
export const Input = ({ value, onInput, ...props }: Props) =>
  createElement('input', {
    ...domProps('Input', props),
    defaultValue: value as string | undefined,
    onChange: (event: FormEvent<HTMLInputElement>) =>
      (onInput as Handler | undefined)?.({ detail: { value: event.currentTarget.value } }),
  })

/** Submitting calls onSubmit with detail.value: every named input's value, as Taro's Form does. */
export const Form = ({ children, onSubmit, ...props }: Props) =>
  createElement(
    'form',
    {
      ...domProps('Form', props),
      onSubmit: (event: FormEvent<HTMLFormElement>) => {
        event.preventDefault()
        const value: Record<string, string> = {}
        event.currentTarget.querySelectorAll('input[name]').forEach((input) => {
          value[(input as HTMLInputElement).name] = (input as HTMLInputElement).value
        })
        ;(onSubmit as Handler | undefined)?.({ detail: { value } })
      },
    },
    children,
  )

/** The app never renders HTML strings, only typed blocks: using RichText fails the test. */
export const RichText = () => {
  throw new Error('RichText is not allowed: render blocks as Taro components')
}
