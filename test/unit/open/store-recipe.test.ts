/**
 * push starts its shipping thread from the store's URL, before the store opens on the main
 * thread (ingest/open-job-writer.ts): the recipe read from the URL must be the one the
 * opened store gives, or the thread would deliver somewhere else than the main thread opened.
 */
import {describe, expect, it} from 'vitest'
import type {Settings} from '../../../src/lib/config.js'
import {openWriteStore, writeStoreRecipe} from '../../../src/lib/open/open-jobs.js'
import {liveStoreRecipe, openLiveStore} from '../../../src/lib/open/open-store.js'

const setting = (value: string) => ({value, from: '--store'})

describe('a live store recipe from the URL alone', () => {
  it('is the opened Redis store’s recipe: host, port, db, credentials, TLS, cluster, options, REDIS_URL', async () => {
    const env = {REDIS_URL: 'rediss://:pw@cache:7000/1?ttl=1d'}
    for (const url of ['redis://u:s3cret@h:6380/2?prefix=ci:&ttl=12h&maxlen=1000', 'rediss://h:1', 'redis+cluster://a:7000,b:7001?prefix=x:', 'redis://?prefix=y:', 'redis:///3']) {
      const store = await openLiveStore(setting(url), env)
      try {
        expect(store.recipe, url).toBeDefined()
        expect(liveStoreRecipe(setting(url), env), url).toEqual(store.recipe)
      } finally {
        await store.close()
      }
    }
  })

  it('is none for stores without one (file, object stores), and for a URL that does not parse (opening it says why)', () => {
    for (const url of ['file:///var/logs', 's3://bucket/p', 'supabase://b/p', 'ftp://h/x', 'redis://h:99999999', 'redis://h?ttl=forever']) {
      expect(liveStoreRecipe(setting(url), {}), url).toBeUndefined()
    }
    const relay = {store: setting('redis://h'), archive: setting('file:///tmp/a'), url: {value: 'http://relay:8080', from: '--url'}} as Settings
    expect(writeStoreRecipe({...relay, url: undefined})).toEqual({kind: 'redis', target: expect.objectContaining({nodes: [{host: 'h', port: 6379}]})})
  })

  it("is the opened relay client's recipe, its token included (--url, --token)", async () => {
    const relay = {store: setting('redis://h'), archive: setting('file:///tmp/a'), url: {value: 'http://relay:8080/', from: '--url'}} as Settings
    for (const settings of [relay, {...relay, token: {value: 's3cret', from: '--token'}}] as Settings[]) {
      const store = await openWriteStore(settings)
      expect(store.recipe).toBeDefined()
      expect(writeStoreRecipe(settings)).toEqual(store.recipe)
      await store.close()
    }
  })
})
