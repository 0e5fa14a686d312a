/**
 * @tarojs/components as plain host elements for jsdom. Props the DOM knows pass through;
 * Taro-only props become data-* attributes so tests can assert them (e.g. userSelect).
 */
import { createElement, type ReactNode } from 'react'

type Props = { children?: ReactNode } & Record<string, unknown>

const PASS = new Set(['className', 'id', 'style', 'onClick', 'disabled', 'role', 'title'])

const toDataName = (name: string) => `data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

function host(tag: string, displayName: string) {
  const Component = ({ children, ...props }: Props) => {
    const domProps: Record<string, unknown> = { 'data-taro': displayName }
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue
      if (PASS.has(name) || name.startsWith('aria-') || name.startsWith('data-')) domProps[name] = value
      else if (typeof value !== 'function' && typeof value !== 'object') domProps[toDataName(name)] = String(value)
    }
    return createElement(tag, domProps, children)
  }
  Component.displayName = displayName
  return Component
}

export const View = host('div', 'View')
export const Text = host('span', 'Text')
export const Button = host('button', 'Button')
export const ScrollView = host('div', 'ScrollView')
export const Image = host('img', 'Image')
export const Navigator = host('a', 'Navigator')
export const Block = ({ children }: Props) => <>{children}</>

/** The app must never render HTML strings (DESIGN.md §2): using RichText fails the test. */
export const RichText = () => {
  throw new Error('RichText is not allowed: render blocks as Taro components')
}
