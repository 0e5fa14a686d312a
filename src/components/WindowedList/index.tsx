import type { ReactNode } from 'react'
import { View } from '@tarojs/components'
import { SECTION_PAGES, useWindowedPages } from '../../hooks/useWindowedPages'

/** How a list is cut into page elements, and how high an item is until its page is measured */
export interface WindowLayout {
  /** Names the page elements (class `${scope}-page`), which the hook measures; one scope per list on a page */
  scope: string
  /** Items per page element: the list's page of results */
  pageSize: number
  /** An item's height in px, to estimate a page not measured yet */
  itemHeight: number
  /** Class of each page element besides `${scope}-page` (e.g. a grid); no vertical padding or border, as a placeholder is only its height */
  pageClassName?: string
}

export interface WindowedListProps<T> {
  layout: WindowLayout
  items: T[]
  /** One item, with its key */
  renderItem: (item: T) => ReactNode
}

function chunk<T>(list: T[], size: number): T[][] {
  const groups: T[][] = []
  for (let start = 0; start < list.length; start += size) groups.push(list.slice(start, start + size))
  return groups
}

/**
 * A list as one element per page of results, the pages far from the viewport each collapsed into
 * one empty element of their height (useWindowedPages). The pages have their own parent, so a new
 * page is appended at the end and Taro sends only that page in setData (an insert before a sibling
 * resends every child), and a page that collapses or comes back is one node's update. Pages sit in
 * sections of SECTION_PAGES, which collapse the same way, so no element gets more than a few dozen
 * children and the placeholders themselves stay few however long the list grows.
 */
export default function WindowedList<T>({ layout, items, renderItem }: WindowedListProps<T>) {
  const { scope, pageSize, itemHeight, pageClassName } = layout
  const pages = chunk(items, pageSize)
  const windowed = useWindowedPages(
    scope,
    pages.map((page) => page.length),
    itemHeight,
  )
  const className = pageClassName ? `${scope}-page ${pageClassName}` : `${scope}-page`
  const page = (items: T[], index: number) =>
    windowed.rendered(index) ? (
      <View key={index} className={className}>
        {items.map(renderItem)}
      </View>
    ) : (
      <View
        key={index}
        className={`${className} windowed-placeholder`}
        style={{ height: `${windowed.placeholderHeight(index)}px` }}
      />
    )
  return (
    <View className={`${scope}-pages`}>
      {chunk(pages, SECTION_PAGES).map((section, index) =>
        windowed.sectionOpen(index) ? (
          <View key={index} className='windowed-section'>
            {section.map((items, at) => page(items, index * SECTION_PAGES + at))}
          </View>
        ) : (
          <View
            key={index}
            className='windowed-section windowed-placeholder'
            style={{ height: `${windowed.sectionHeight(index)}px` }}
          />
        ),
      )}
    </View>
  )
}
