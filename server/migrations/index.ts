import type { Migration } from 'kysely'
import * as m001 from './001_content'
import * as m002 from './002_accounts'
import * as m003 from './003_payments'
import * as m004 from './004_search'
import * as m005 from './005_study'
import * as m006 from './006_practice'
import * as m007 from './007_subscriptions'
import * as m008 from './008_sharing'
import * as m009 from './009_payment_lifecycle'
import * as m010 from './010_shared_state'
import * as m011 from './011_console'
import * as m012 from './012_scheduling'
import * as m013 from './013_funnel'
import * as m014 from './014_console_indexes'
import * as m015 from './015_site_settings'
import * as m016 from './016_reading_position'
import * as m017 from './017_store'
import * as m018 from './018_shipping'
import * as m019 from './019_courses'

/** Versioned migrations, applied in name order by Kysely's Migrator. Never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '001_content': m001,
  '002_accounts': m002,
  '003_payments': m003,
  '004_search': m004,
  '005_study': m005,
  '006_practice': m006,
  '007_subscriptions': m007,
  '008_sharing': m008,
  '009_payment_lifecycle': m009,
  '010_shared_state': m010,
  '011_console': m011,
  '012_scheduling': m012,
  '013_funnel': m013,
  '014_console_indexes': m014,
  '015_site_settings': m015,
  '016_reading_position': m016,
  '017_store': m017,
  '018_shipping': m018,
  '019_courses': m019,
}
