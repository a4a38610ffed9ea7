import {useEffect, useState} from 'react'

/** The current time, refreshed every `interval` ms ("last line 3s ago" keeps counting when nothing arrives). */
export function useNow(interval = 1000, clock: () => number = Date.now): number {
  const [now, setNow] = useState(clock)
  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), interval)
    return () => clearInterval(timer)
  }, [interval, clock])
  return now
}
