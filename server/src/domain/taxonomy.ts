/**
 * The publisher's column tree and regions. Issues name a column by its slug path
 * and a region by its code; both are created in the database on first use.
 */
export interface ColumnDefinition {
  slug: string
  name: string
  children?: ColumnDefinition[]
}

export const COLUMN_TREE: ColumnDefinition[] = [
  {
    slug: 'linxuan',
    name: '遴选网',
    children: [
      { slug: 'shengshi', name: '省市遴选', children: [{ slug: 'redian', name: '热点精讲' }] },
      { slug: 'zhongyang', name: '中央遴选', children: [{ slug: 'zhenti', name: '真题解析' }] },
    ],
  },
]

export interface RegionDefinition {
  code: string
  name: string
}

export const REGIONS: RegionDefinition[] = [
  { code: 'beijing', name: '北京' },
  { code: 'tianjin', name: '天津' },
  { code: 'hebei', name: '河北' },
  { code: 'shanxi', name: '山西' },
  { code: 'neimenggu', name: '内蒙古' },
  { code: 'liaoning', name: '辽宁' },
  { code: 'jilin', name: '吉林' },
  { code: 'heilongjiang', name: '黑龙江' },
  { code: 'shanghai', name: '上海' },
  { code: 'jiangsu', name: '江苏' },
  { code: 'zhejiang', name: '浙江' },
  { code: 'anhui', name: '安徽' },
  { code: 'fujian', name: '福建' },
  { code: 'jiangxi', name: '江西' },
  { code: 'shandong', name: '山东' },
  { code: 'henan', name: '河南' },
  { code: 'hubei', name: '湖北' },
  { code: 'hunan', name: '湖南' },
  { code: 'guangdong', name: '广东' },
  { code: 'guangxi', name: '广西' },
  { code: 'hainan', name: '海南' },
  { code: 'chongqing', name: '重庆' },
  { code: 'sichuan', name: '四川' },
  { code: 'guizhou', name: '贵州' },
  { code: 'yunnan', name: '云南' },
  { code: 'xizang', name: '西藏' },
  { code: 'shaanxi', name: '陕西' },
  { code: 'gansu', name: '甘肃' },
  { code: 'qinghai', name: '青海' },
  { code: 'ningxia', name: '宁夏' },
  { code: 'xinjiang', name: '新疆' },
  { code: 'zhongyang', name: '中央' },
]

const regionByCode = new Map(REGIONS.map((region) => [region.code, region]))

export function findRegion(code: string): RegionDefinition | undefined {
  return regionByCode.get(code)
}

/** The chain of columns for a slug path such as "linxuan/shengshi/redian", or undefined when it is not in the tree. */
export function findColumnPath(path: string): ColumnDefinition[] | undefined {
  const chain: ColumnDefinition[] = []
  let level: ColumnDefinition[] | undefined = COLUMN_TREE
  for (const slug of path.split('/')) {
    const column: ColumnDefinition | undefined = level?.find((candidate) => candidate.slug === slug)
    if (!column) return undefined
    chain.push(column)
    level = column.children
  }
  return chain.length > 0 && !chain[chain.length - 1].children ? chain : undefined
}

export function leafColumnPaths(): string[] {
  const paths: string[] = []
  const walk = (columns: ColumnDefinition[], prefix: string[]) => {
    for (const column of columns) {
      const path = [...prefix, column.slug]
      if (column.children) walk(column.children, path)
      else paths.push(path.join('/'))
    }
  }
  walk(COLUMN_TREE, [])
  return paths
}
