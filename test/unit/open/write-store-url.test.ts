import {describe, expect, it} from 'vitest'
import type {Settings} from '../../../src/lib/config.js'
import {checkWriteStoreUrl} from '../../../src/lib/open/open-jobs.js'

const store = (value: string): Settings => ({store: {value, from: '--store'}, archive: {value: 'file:///tmp/a', from: 'default'}}) as Settings

describe('checkWriteStoreUrl', () => {
  it('says a file store is on this machine, whatever the spelling of its URL', () => {
    for (const url of ['file:///var/logs', 'file:relative/dir', 'FILE:///var/logs', 'File://~/logs']) {
      expect(checkWriteStoreUrl(store(url)), url).toEqual({local: true})
    }
  })

  it('says no for Redis, object stores and the relay', () => {
    for (const url of ['redis://h:6379', 'rediss://h:6380', 'redis+cluster://a:7000,b:7001', 's3://bucket/p', 'supabase://b/p', 'vercel-blob://p']) {
      expect(checkWriteStoreUrl(store(url)), url).toEqual({local: false})
    }
    expect(checkWriteStoreUrl({...store('file:///var/logs'), url: {value: 'http://relay:8080', from: '--url'}})).toEqual({local: false})
  })

  it('refuses an unknown scheme before anything opens', () => {
    expect(() => checkWriteStoreUrl(store('ftp://h/x'))).toThrow(/unknown scheme "ftp:"/)
  })
})
