/**
 * The bytes of a record line (format.ts recordLine) around its line value, cut out of
 * recordJson's own output, and the JSON escape of each byte: what ./stored-records.ts and
 * ./stored-records-simd.ts write records from. A record is
 *   SEQ <seq> TS <ts> FIELDS[level, stream, eol, mark] <line, escaped> END.
 */
import {recordJson} from '../entry.js'
import {LEVELS, levelOfCode} from '../level.js'
import {RECORD_MARKS, STREAMS, eolBit, markCode} from '../store/file/index-record.js'

export const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1')

const SAMPLE = recordJson({seq: 7, ts: 9, line: '', eol: true})
export const SEQ = latin1(SAMPLE.slice(0, SAMPLE.indexOf('7')))
export const TS = latin1(SAMPLE.slice(SAMPLE.indexOf('7') + 1, SAMPLE.indexOf('9')))
export const END = latin1(`${SAMPLE.slice(-2)}\n`)
export const LEVEL_CODES = LEVELS.length + 1
export const STREAM_CODES = STREAMS.length
/** Indexed by ((level × STREAM_CODES + stream) × 2 + eol) × RECORD_MARKS.length + the mark's index in RECORD_MARKS. */
export const FIELDS: Buffer[] = []
for (let level = 0; level < LEVEL_CODES; level++) {
  for (let stream = 0; stream < STREAM_CODES; stream++) {
    for (const eol of [false, true]) {
      for (const record of RECORD_MARKS) {
        const json = recordJson({seq: 7, ts: 9, line: '', eol, level: levelOfCode(level), stream: STREAMS[stream], record})
        FIELDS.push(latin1(json.slice(json.indexOf('9') + 1, -2)))
      }
    }
  }
}
export const fieldsOf = (level: number, stream: number, flags: number): Buffer =>
  FIELDS[(((level < LEVEL_CODES ? level : 0) * STREAM_CODES + (stream < STREAM_CODES ? stream : 0)) * 2 + eolBit(flags)) * RECORD_MARKS.length + markCode(flags)]

/** Per byte of a line: its escape in a JSON string, or undefined when it stands for itself (in valid UTF-8). */
export const ESCAPES: (Buffer | undefined)[] = Array.from({length: 256}, (_, byte) => {
  const escaped = JSON.stringify(String.fromCharCode(byte)).slice(1, -1)
  return byte < 0x80 && escaped.length > 1 ? latin1(escaped) : undefined
})
/** The longest escape (`\u001f`). */
export const WORST_ESCAPE = 6
/**
 * Room for all of a record but its line: the longest fields, a seq below 2^53 (16 digits)
 * and any ts (a double: 24 characters at most, as String(-2.2250738585072014e-308)).
 */
export const FIELDS_ROOM = SEQ.length + 16 + TS.length + 24 + Math.max(...FIELDS.map((fields) => fields.length)) + END.length
