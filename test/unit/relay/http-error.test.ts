/** The statuses the relay answers for the library's errors, and what the relay client makes of them again. */
import {describe, expect, it} from 'vitest'
import {ArchiveReadError, JobDeletedError, JobNotFoundError} from '../../../src/lib/errors/index.js'
import {toHttpError} from '../../../src/lib/relay/http-error.js'
import {relayError} from '../../../src/lib/store/relay/relay-http.js'

const endpoint = {base: 'http://127.0.0.1:1', name: 'http://127.0.0.1:1'}

describe('toHttpError / relayError', () => {
  it('a job deleted while the request read it is 410 with its message, and JobDeletedError again at the client', () => {
    const error = toHttpError(new JobDeletedError('j1', 'file:///a'), 'file:///live')
    expect(error.status).toBe(410)
    expect(error.message).toMatch(/^job j1 was deleted from file:\/\/\/a while it was being read/)
    const again = relayError(endpoint, error.status, error.message, 'j1')
    expect(again).toBeInstanceOf(JobDeletedError)
    expect(again.message).toMatch(/^job j1 was deleted from http:\/\/127\.0\.0\.1:1 while/)
  })

  it('a damaged archived block thrown before anything was sent is 500 naming it, not "store unavailable"', () => {
    const error = toHttpError(new ArchiveReadError('dmg', ['block 3 (bytes 1..2, seq 4..5) could not be read: bad']), 'file:///live')
    expect(error.status).toBe(500)
    expect(error.message).toBe('job dmg: block 3 (bytes 1..2, seq 4..5) could not be read: bad; every other entry was printed')
  })

  it('an unknown job is still 404, and JobNotFoundError at the client', () => {
    expect(toHttpError(new JobNotFoundError('j2', 'file:///live'), 'file:///live').status).toBe(404)
    expect(relayError(endpoint, 404, 'job j2 not found', 'j2')).toBeInstanceOf(JobNotFoundError)
  })
})
