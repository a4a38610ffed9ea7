// Module loader hooks (run on Node's loader thread) for ./record-imports.mjs.
import {appendFileSync} from 'node:fs'

export async function load(url, context, nextLoad) {
  if (process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, `${url}\n`)
  return nextLoad(url, context)
}
