import {useEffect, useSyncExternalStore} from 'react'
import type {ViewerFeed} from './viewer-feed.js'

/**
 * Runs the feed while the viewer is mounted (aborting it on unmount) and re-renders when
 * it reports a change, which it does at most every few tens of milliseconds.
 */
export function useFeed(feed: ViewerFeed): number {
  useEffect(() => {
    const controller = new AbortController()
    void feed.run(controller.signal)
    return () => controller.abort()
  }, [feed])
  return useSyncExternalStore(feed.subscribe, feed.getVersion)
}
