import {describe, expect, it} from 'vitest'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {literalAlternation} from '../../src/lib/mask/literal-alternation.js'
import {Masker, type MaskSpec} from '../../src/lib/mask/masker.js'
import {encodedForms} from '../../src/lib/mask/encoded-forms.js'

const spec = (over: Partial<MaskSpec> = {}): MaskSpec => ({values: [], regexes: [], defaults: true, ...over})

/** Lines through a splitter with a masker, the way push captures them, in the chunks given. */
function capture(chunks: Array<string | Buffer>, options: Partial<MaskSpec> = {}, masker = new Masker(spec(options))) {
  const splitter = new LineSplitter(1024 * 1024, undefined, masker.forStream())
  const entries = chunks.flatMap((chunk) => splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), 0))
  entries.push(...splitter.end(0))
  return {lines: entries.map((entry) => entry.bytes.toString('utf8')), masked: entries.reduce((sum, entry) => sum + (entry.masked ?? 0), 0), entries}
}

const one = (line: string, options: Partial<MaskSpec> = {}) => capture([`${line}\n`], options).lines[0]

describe('default detectors', () => {
  const cases: Array<[string, string, string]> = [
    ['AWS access key id', 'key AKIAIOSFODNN7EXAMPLE used', 'key *** used'],
    ['AWS session key id', 'ASIAJEXAMPLEXEG2JICE', '***'],
    ['aws_secret_access_key', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = ***'],
    ['SecretAccessKey in JSON', '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}', '{"SecretAccessKey": "***"}'],
    ['GitHub classic token', 'GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'GITHUB_TOKEN=***'],
    ['GitHub app token', 'ghs_16C7e42F292c6912E7710c838347Ae178B4a!', '***!'],
    ['GitHub fine-grained token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU', '***'],
    ['GitLab token', 'glpat-xxxxxxxxxxxxxxxxxxxx1234 done', '*** done'],
    ['Slack token', 'SLACK=xoxb-2334-1234-abcdefghijklm', 'SLACK=***'],
    ['Stripe live key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', '***'],
    ['Stripe restricted key', 'rk_live_51H8abcdefghijkLMNOP', '***'],
    ['Google API key', 'key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe', 'key=***'],
    ['npm token', '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ', '//registry.npmjs.org/:_authToken=***'],
    ['JSON Web Token', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c end', 'jwt *** end'],
    ['Bearer header', 'curl -H "Authorization: Bearer abcdef0123456789abcdef"', 'curl -H "Authorization: Bearer ***"'],
    ['Basic header', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic ***'],
    // The bare "Bearer" detector wants 16 characters or more; after an Authorization header any length is a credential.
    ['short Bearer header', "curl -H 'Authorization: Bearer s3cret' http://relay:8080/v1/jobs", "curl -H 'Authorization: Bearer ***' http://relay:8080/v1/jobs"],
    ['Bearer header in JSON', '{"authorization":"bearer abc.def-1"}', '{"authorization":"bearer ***"}'],
    ['GitHub token header', 'Authorization: token gho_short', 'Authorization: token ***'],
    ['password in a URL', 'git clone https://deploy:s3cr3t@git.example.com/x.git', 'git clone https://deploy:***@git.example.com/x.git'],
    ['password in a Redis URL', 'REDIS_URL=redis://:hunter22@redis:6379/0', 'REDIS_URL=redis://:***@redis:6379/0'],
    // Up to the authority's last '@': a password may hold one.
    ['password holding an @ in a URL', 'postgres://user:p@ssw0rd@db/x', 'postgres://user:***@db/x'],
    ['password holding @ and : in a URL', 'DSN="mysql://app:a@b:c@@db:3306" next@mail', 'DSN="mysql://app:***@db:3306" next@mail'],
    // JSON written by PHP's json_encode escapes '/' as '\/'.
    ['password in a \\/-escaped URL', '{"url":"https:\\/\\/deploy:s3cr3t@git.example.com\\/x.git"}', '{"url":"https:\\/\\/deploy:***@git.example.com\\/x.git"}'],
    ['password holding an @ in a \\/-escaped URL', '{"dsn":"postgres:\\/\\/user:p@ss@db\\/x@y"}', '{"dsn":"postgres:\\/\\/user:***@db\\/x@y"}'],
    ['\\/-escaped aws secret access key', '{"SecretAccessKey":"wJalrXUtnFEMI\\/K7MDENG\\/bPxRfiCYEXAMPLEKEY"}', '{"SecretAccessKey":"***"}'],
    ['\\/-escaped Bearer header', '{"Authorization":"Bearer abc\\/def+ghi\\/jkl"}', '{"Authorization":"Bearer ***"}'],
    ['\\/-escaped bare Bearer token', 'sent bearer abcdefgh\\/ijklmnop\\/qrstuv', 'sent bearer ***'],
  ]
  for (const [name, line, expected] of cases) {
    it(`masks a ${name}`, () => expect(one(line)).toBe(expected))
  }

  it('leaves look-alikes alone', () => {
    for (const line of [
      'http://example.com:8080/path@v2',
      'https:\\/\\/example.com:8080\\/path@v2',
      'aws_secret_access_key = wJalrXUtnFEMI\\/K7MDENG\\/bPxRfiCYEXAMPLEKEY\\/toolong',
      'AKIA is a prefix',
      'Bearer tokens are used here',
      'Basic setup done',
      'Authorization: pending',
      'authorization token expired',
      'eyJ alone',
      'npm_config_cache=/tmp',
    ]) {
      expect(one(line)).toBe(line)
    }
  })

  it('is off with defaults: false, but ::add-mask:: still works', () => {
    expect(one('GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a', {defaults: false})).toBe('GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a')
    expect(capture(['::add-mask::topsecret\n', 'x topsecret\n'], {defaults: false}).lines).toEqual(['::add-mask::***', 'x ***'])
  })
})

describe('PEM private keys', () => {
  it('masks every line between BEGIN and END, keeping the markers', () => {
    const lines = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAA', 'QyNTUxOQAAACDb', '-----END OPENSSH PRIVATE KEY-----', 'after']
    const result = capture([lines.join('\n') + '\n'])
    expect(result.lines).toEqual(['-----BEGIN OPENSSH PRIVATE KEY-----', '***', '***', '-----END OPENSSH PRIVATE KEY-----', 'after'])
    expect(result.masked).toBe(2)
  })

  it('masks a key on one line (a JSON key file) between its markers', () => {
    const line = '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\\n-----END PRIVATE KEY-----\\n", "x": 1}'
    expect(one(line)).toBe('{"private_key": "-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----\\n", "x": 1}')
  })

  it('keeps masking across reads until the END line', () => {
    const result = capture(['-----BEGIN RSA PRIVATE KEY-----\nMIIE', 'pAIBAAKCAQEA\r\nline2\n', '-----END RSA PRIVATE KEY-----\n'])
    expect(result.lines).toEqual(['-----BEGIN RSA PRIVATE KEY-----', '***\r', '***', '-----END RSA PRIVATE KEY-----'])
  })
})

describe('values and regular expressions', () => {
  it('masks every occurrence of a value, longest value first, and counts them', () => {
    const result = capture(['pw=longsecret1 and longsecret1; prefix longsecret1-extended\n'], {values: ['longsecret1', 'longsecret1-extended'], defaults: false})
    expect(result.lines).toEqual(['pw=*** and ***; prefix ***'])
    expect(result.masked).toBe(3)
  })

  it('masks a value split across two reads: masking works on whole lines', () => {
    expect(capture(['token: abcd', 'efgh1234 end\n'], {values: ['abcdefgh1234']}).lines).toEqual(['token: *** end'])
  })

  it('masks a value in a line that is not UTF-8, keeping the other bytes', () => {
    const line = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(' s3cretvalue \n')])
    const entry = capture([line], {values: ['s3cretvalue']}).entries[0]
    expect(entry.bytes).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(' *** ')]))
  })

  it('masks a non-ASCII value', () => {
    expect(one('mot de passe: pässwörd!', {values: ['pässwörd']})).toBe('mot de passe: ***!')
  })

  // Before: a value written as an encoder escapes it was stored whole, and get -o json decoded it back.
  it('masks a value in the forms JSON and URL encoders write it', () => {
    const aws = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
    expect(one(String.raw`{"secret":"wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY"}`, {values: [aws]})).toBe('{"secret":"***"}')
    expect(one('u=wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY', {values: [aws]})).toBe('u=***')
    const go = 'Tr0ub4dor&3<x>'
    expect(one(String.raw`{"pw":"Tr0ub4dor\u00263\u003cx\u003e"}`, {values: [go]})).toBe('{"pw":"***"}')
    expect(one(String.raw`{"pw":"Tr0ub4dor\u00263\u003Cx\u003E"}`, {values: [go]})).toBe('{"pw":"***"}')
    expect(one(String.raw`{"q":"say \"hi\" there"}`, {values: ['say "hi" there']})).toBe('{"q":"***"}')
    expect(capture(['::add-mask::a/b/secret9\n', String.raw`{"k":"a\/b\/secret9"}` + '\n']).lines).toEqual(['::add-mask::***', '{"k":"***"}'])
  })

  it('masks the match of a regex, or its first group', () => {
    expect(one('api_key=abc123 token=zz9', {regexes: [/api_key=(\w+)/, /token=\w+/]})).toBe('api_key=*** ***')
  })

  it('a regex with no required literal is tried on every line', () => {
    expect(capture(['a 1234-5678 b\nplain\n'], {regexes: [/\d{4}-\d{4}/]}).lines).toEqual(['a *** b', 'plain'])
  })

  it('a regex that matches the empty string does not loop', () => {
    expect(one('abc', {regexes: [/x*/]})).toBe('abc')
  })
})

describe('a value as JSON and URLs write it', () => {
  const aws = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
  const html = 'Tr0ub4dor&3<x>'
  const cases: Array<[string, string, string]> = [
    ["PHP's \\/", aws, 'wJalrXUtnFEMI\\/K7MDENG\\/bPxRfiCYEXAMPLEKEY'],
    ["Go's \\u0026 \\u003c \\u003e", html, 'Tr0ub4dor\\u00263\\u003cx\\u003e'],
    ['upper-case hex (PHP JSON_HEX_*, .NET)', html, 'Tr0ub4dor\\u00263\\u003Cx\\u003E'],
    ["Gson's \\u0027 and \\u003d", "it's=base64==", 'it\\u0027s\\u003dbase64\\u003d\\u003d'],
    ['\\" and \\\\', 'pa"ss\\word', 'pa\\"ss\\\\word'],
    ['\\" as \\u0022 (.NET)', 'pa"ss+word', 'pa\\u0022ss\\u002Bword'],
    ['a tab', 'pass\tword', 'pass\\tword'],
    ['non-ASCII as \\u (Python, PHP)', 'pässwörd', 'p\\u00e4ssw\\u00f6rd'],
    ['\\/ and upper-case hex together (PHP)', 'a/b<c>d', 'a\\/b\\u003Cc\\u003Ed'],
    ['a URL (encodeURIComponent)', 'p@ss/w rd&x', 'p%40ss%2Fw%20rd%26x'],
  ]
  for (const [name, value, written] of cases) {
    it(`masks a value written with ${name}, and counts it`, () => {
      const result = capture([`{"secret":"${written}","n":1}\n`], {values: [value], defaults: false})
      expect(result.lines).toEqual(['{"secret":"***","n":1}'])
      expect(result.masked).toBe(1)
    })
  }

  it('masks the escaped forms of an ::add-mask:: value from that line on', () => {
    const result = capture(['::add-mask::Tr0ub4dor&3<x>\n', '{"pw":"Tr0ub4dor\\u00263\\u003cx\\u003e"} Tr0ub4dor%263%3Cx%3E\n'], {defaults: false})
    expect(result.lines).toEqual(['::add-mask::***', '{"pw":"***"} ***'])
    expect(result.masked).toBe(3)
  })

  it('adds only the forms that differ from the value', () => {
    expect(encodedForms('plainvalue123')).toEqual([])
    expect(encodedForms('a/b&c').sort()).toEqual(['a%2Fb%26c', 'a/b\\u0026c', 'a\\/b&c', 'a\\/b\\u0026c'])
  })
})

describe('::add-mask::', () => {
  it('masks the value from that line on, in the same read and the next, and stores the line masked', () => {
    const result = capture(['before s3cr3tvalue\n::add-mask::s3cr3tvalue\nsame read s3cr3tvalue\n', 'next read s3cr3tvalue\n'])
    expect(result.lines).toEqual(['before s3cr3tvalue', '::add-mask::***', 'same read ***', 'next read ***'])
  })

  it('a value registered on one stream is masked on the other', () => {
    const masker = new Masker(spec())
    const out = new LineSplitter(1 << 20, 'stdout', masker.forStream())
    const err = new LineSplitter(1 << 20, 'stderr', masker.forStream())
    out.push(Buffer.from('::add-mask::shared-secret\n'), 0)
    expect(err.push(Buffer.from('err shared-secret\n'), 0)[0].bytes.toString()).toBe('err ***')
  })

  it('refuses a value shorter than 4 characters with a warning (not repeating it), masking only its own line', () => {
    const warnings: string[] = []
    const result = capture(['::add-mask::abc\nabc stays\n'], {onWarning: (message) => warnings.push(message)})
    expect(result.lines).toEqual(['::add-mask::***', 'abc stays'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).not.toContain('abc')
  })
})

describe('the prefilter', () => {
  it('finds any of the literals and nothing else', () => {
    const regex = literalAlternation(['AKIA', 'ASIA', 'AIza', 'ghp_', 'github_pat_', '://', 'a.b'])!
    const found = (text: string) => {
      regex.lastIndex = 0
      return regex.test(text)
    }
    for (const hit of ['xAKIAx', 'ASIA', 'AIza', 'ghp_', 'github_pat_', 'http://', 'a.b']) expect(found(hit)).toBe(true)
    for (const miss of ['AKI', 'ASI A', 'github_pa', ':/', 'axb', 'ghp']) expect(found(miss)).toBe(false)
  })

  it('long lines split into pieces are masked before they are split', () => {
    const splitter = new LineSplitter(8, undefined, new Masker(spec({values: ['abcdefghij']})).forStream())
    const entries = splitter.push(Buffer.from('xx abcdefghij yy\n'), 0)
    expect(Buffer.concat(entries.map((entry) => entry.bytes)).toString()).toBe('xx *** yy')
    expect(entries[0].masked).toBe(1)
  })
})
