import {describe, expect, it} from 'vitest'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {literalAlternation} from '../../src/lib/mask/literal-alternation.js'
import {Masker, type MaskSpec} from '../../src/lib/mask/masker.js'
import {urlEncoded} from '../../src/lib/mask/encoded-forms.js'

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
    // As `set -x`, `env` and `docker run -e` print them.
    ['password assigned in a shell', '+ export DB_PASSWORD=hunter2', '+ export DB_PASSWORD=***'],
    ['password in an env dump', 'POSTGRES_PASSWORD=s3cr3t;x', 'POSTGRES_PASSWORD=***;x'],
    ['secret in JSON, with blanks', '{"client_secret":"ab cd ef","x":1}', '{"client_secret":"***","x":1}'],
    ['password quoted in YAML', "password: 'hunter 2'", "password: '***'"],
    ['SECRET_KEY', 'SECRET_KEY=abcd1234 next', 'SECRET_KEY=*** next'],
    ['password in a query string', 'GET /login?user=x&password=p4ss&y=1', 'GET /login?user=x&password=***&y=1'],
    ['password left unquoted to the end of the line', 'password="hunter2 and more', 'password="***'],
    ['password flag', 'docker login -u ci --password hunter22 registry.example.com', 'docker login -u ci --password *** registry.example.com'],
    ['secret flag', 'tool --client-secret s3cr3tv4l --verbose', 'tool --client-secret *** --verbose'],
    ['token in an env dump', 'CODECOV_TOKEN=2f1e3c4d-1a2b-4c5d-8e9f-0a1b2c3d4e5f', 'CODECOV_TOKEN=***'],
    ['hex token', '+ export SONAR_TOKEN=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', '+ export SONAR_TOKEN=***'],
    ['OAuth token in JSON', '{"access_token":"ya29.a0AfH6SMBxyz","token_type":"Bearer"}', '{"access_token":"***","token_type":"Bearer"}'],
    ['API key header', '> X-Api-Key: abcd1234efgh5678', '> X-Api-Key: ***'],
    ['api_key in YAML', "api_key: 'sk-proj-abc123def456'", "api_key: '***'"],
    ['token flag', 'vault login --token hvs.CAESIJabc123xyz -method=token', 'vault login --token *** -method=token'],
    ['API key flag', 'tool --api-key=0123456789abcdef', 'tool --api-key=***'],
    ['password in mixed case', 'PassWord=hunter22 passWd: abcd1234', 'PassWord=*** passWd: ***'],
    // Passwords on command lines, as `set -x` prints them.
    ['curl user and password', '+ curl -fsS -u admin:hunter22 https://nexus/x', '+ curl -fsS -u admin:*** https://nexus/x'],
    ['curl --user=, quoted', `curl --user="ci bot:p4ss word" -X POST https://x`, `curl --user="ci bot:***" -X POST https://x`],
    ['curl -u quoted, password holding a colon', "curl -H 'X: y' -u 'ci:a:b c' https://x", "curl -H 'X: y' -u 'ci:***' https://x"],
    ['curl -u joined', 'curl -uci:s3cret https://x', 'curl -uci:*** https://x'],
    ['curl -u and --proxy-user', 'curl -u ci:s3cret --proxy-user px:pr0xy https://x', 'curl -u ci:*** --proxy-user px:*** https://x'],
    ['curl --proxy-user', 'curl -x http://proxy:3128 --proxy-user px:pr0xy https://x', 'curl -x http://proxy:3128 --proxy-user px:*** https://x'],
    ['mysql -p', '+ mysql -h db -uroot -ps3cr3t app < dump.sql', '+ mysql -h db -uroot -p*** app < dump.sql'],
    ['mysqldump -p quoted', `mysqldump -u app -p'hunter 2' --all-databases`, `mysqldump -u app -p'***' --all-databases`],
    ['mysql -p quoted with it', `mysql -u app '-phunter 2' db`, `mysql -u app '-p***' db`],
    ['mariadb-dump -p', 'mariadb-dump -uapp -pabc123 db', 'mariadb-dump -uapp -p*** db'],
    ['sshpass -p', '+ sshpass -p hunter22 ssh deploy@host uptime', '+ sshpass -p *** ssh deploy@host uptime'],
    ['sshpass -p quoted', `sshpass -p "hunter 22" ssh host`, `sshpass -p "***" ssh host`],
    ['docker login -p', '+ docker login -u ci -p s3cr3t registry.example.com', '+ docker login -u ci -p *** registry.example.com'],
    ['helm registry login -p', 'helm registry login ghcr.io --username ci -p=abcd1234', 'helm registry login ghcr.io --username ci -p=***'],
    ['az login -p', 'az login -u ci@example.com -p s3cr3tP4ss --tenant t', 'az login -u ci@example.com -p *** --tenant t'],
    ['az acr login -p', 'az acr login --name reg -u ci -p abcd1234', 'az acr login --name reg -u ci -p ***'],
    ['oc login -p', '+ oc login https://api.cluster:6443 -u dev -p devpass1', '+ oc login https://api.cluster:6443 -u dev -p ***'],
    ['cf login -p', 'cf login -a https://api.cf.example -u ci -p "cf pass"', 'cf login -a https://api.cf.example -u ci -p "***"'],
    ['redis-cli -a', '+ redis-cli -h cache -a hunter22 --no-auth-warning PING', '+ redis-cli -h cache -a *** --no-auth-warning PING'],
    ['redis-cli --pass quoted', `redis-cli --user app --pass 'p4ss word' ping`, `redis-cli --user app --pass '***' ping`],
    ['openssl -passin pass:', '+ openssl pkcs12 -in c.p12 -passin pass:s3cr3t -nodes', '+ openssl pkcs12 -in c.p12 -passin pass:*** -nodes'],
    ['openssl -passout pass: quoted', `openssl genrsa -aes256 -passout "pass:two words" 2048`, `openssl genrsa -aes256 -passout "pass:***" 2048`],
    ['openssl enc -pass pass:', 'openssl enc -d -aes-256-cbc -pass pass:abc123 -in x', 'openssl enc -d -aes-256-cbc -pass pass:*** -in x'],
    [
      'apksigner --ks-pass pass:',
      'apksigner sign --ks k.jks --ks-pass pass:st0rePass --key-pass pass:k3yPass a.apk',
      'apksigner sign --ks k.jks --ks-pass pass:*** --key-pass pass:*** a.apk',
    ],
    ['keytool -storepass and -keypass', 'keytool -genkey -keystore k.jks -storepass changeit -keypass "key pass"', 'keytool -genkey -keystore k.jks -storepass *** -keypass "***"'],
    ['keytool -srcstorepass, -deststorepass', 'keytool -importkeystore -srcstorepass a1b2c3 -deststorepass d4e5f6', 'keytool -importkeystore -srcstorepass *** -deststorepass ***'],
    ['zip -P', '+ zip -r -P zipPass1 out.zip dist', '+ zip -r -P *** out.zip dist'],
    ['unzip -P quoted', `unzip -o -P 'un zip' bundle.zip`, `unzip -o -P '***' bundle.zip`],
    ['7z -p', '+ 7z a -psevenZip1 -mhe=on out.7z dist', '+ 7z a -p*** -mhe=on out.7z dist'],
    ['7zz -p', '7zz x -pS3venZip out.7z', '7zz x -p*** out.7z'],
    ['7za x -p quoted', `7za x "-pseven zip" in.7z`, `7za x "-p***" in.7z`],
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

  // An unbounded `.*` from each command name, or a key's value read to the line's end, made such a line take the square of its length.
  it('masks a line of a megabyte of commands or keys in time in proportion to it: each password, nothing else', () => {
    for (const [unit, masked] of [
      ['curl -u ci:s3cret -u ', 'curl -u ci:*** -u '],
      ['curl -u a:s3cret --user b:s3cret -u ', 'curl -u a:*** --user b:*** -u '],
      ['mysql -ps3cret mysql ', 'mysql -p*** mysql '],
      ['sshpass -p s3cret -p ', 'sshpass -p *** -p '],
      ['docker login -p s3cret login -p ', 'docker login -p *** login -p '],
      ['redis-cli -a s3cret -a ', 'redis-cli -a *** -a '],
      ['zip -P s3cret -P ', 'zip -P *** -P '],
      ['7z -ps3cret 7z ', '7z -p*** 7z '],
      ['-passin pass:s3cret -pass ', '-passin pass:*** -pass '],
      ['-storepass s3cret -keypass ', '-storepass *** -keypass '],
      // Keys with no value that has a digit: each once read on to the line's end.
      ['apikey=', 'apikey='],
      ['api_key: token=', 'api_key: token='],
    ]) {
      const count = Math.floor((2 ** 20 - 1) / unit.length) // a line push takes whole
      expect(one(unit.repeat(count))).toBe(masked.repeat(count))
    }
  })

  // A value's end is looked for within 4096 characters; one that ran on past them was left whole.
  it('masks a bare token longer than 4096 characters to its end, in a line of a megabyte too', () => {
    const jwtLike = (chars: number) => 'a1b2'.repeat(chars / 4)
    for (const chars of [4092, 4096, 4100, 65_536]) {
      expect(one(`export API_TOKEN=${jwtLike(chars)} done`)).toBe('export API_TOKEN=*** done')
      expect(one(`--token ${jwtLike(chars)}`)).toBe('--token ***')
    }
    // Past 4096 characters it is no object's name: masked whatever follows it.
    expect(one(`token=${jwtLike(8192)}{x}`)).toBe('token=***{x}')
    const unit = `apikey=${jwtLike(5000)} `
    const count = Math.floor((2 ** 20 - 1) / unit.length)
    expect(one(unit.repeat(count))).toBe('apikey=*** '.repeat(count))
  })

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
      'password=${DB_PASSWORD}',
      'password: ****',
      'password: required',
      'Password: <hidden>',
      'PWD=/home/ci',
      'password_file=/run/secrets/db',
      'secret_key_base_file=/x',
      'secretName: db-creds',
      'secrets: 3 found',
      'password: "ab"',
      'password changed for user bob',
      'token: none',
      'token: abcdefghij',
      'Token refreshed: 12345678',
      'token: ${{ secrets.DEPLOY_TOKEN1 }}',
      'CI_JOB_TOKEN=[MASKED]',
      'max_tokens: 40960000',
      'tokens=123456789012',
      '"token_type": "Bearer123"',
      'gh auth login --with-token < token1.txt',
      '--token-file /run/tok1234567',
      'Tokenizer: bert-base-uncased-12345678',
      'broken pipe 12345678',
      'Skipping AppWindowToken{df0798e token=Token{78af589 ActivityRecord{3b04890 u0}}}',
      'Bad activity token: android.os.BinderProxy@2bd79ce',
      'token=abc123',
      'docker login --password-stdin',
      'mysqladmin --password --verbose',
      '--token --verbose1234',
      // Placeholders and look-alikes on command lines.
      'curl -u "$USER:$PASS" https://x',
      'curl --user-agent=Mozilla:5.0 https://x',
      'curl -u admin: https://x',
      'curl https://x | sort -u',
      'mysql -p app',
      'mysql -P 3306 -p -u root',
      'mysqldump -p${DB_PASS} app',
      'sshpass -p "$SSHPASS" ssh host',
      'docker login -u ci --password-stdin ghcr.io',
      'docker login -u ci -p $REGISTRY_PASSWORD ghcr.io',
      'login -p failed for user bob',
      'redis-cli -a "$REDIS_PASSWORD" ping',
      'redis-cli --askpass ping',
      'openssl pkcs12 -passin env:P12_PASS -passout file:/run/pass',
      'openssl rsa -passin "pass:$KEY_PASS"',
      'tests pass: 12, fail: 0',
      'keytool -list -storepass:env STORE_PASS -keystore k.jks',
      'keytool -storepass $STORE_PASS',
      'zip -r -P "$ZIP_PASS" out.zip dist',
      'gzip -P x',
      'zip -r out.zip dist -x "*.P"',
      '7z a -p out.7z dist',
      '7z a -p"$SEVEN_PASS" out.7z',
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

  it('adds a URL form only when it differs from the value', () => {
    expect(urlEncoded('plainvalue123')).toBeUndefined()
    expect(urlEncoded('a/b&c')).toBe('a%2Fb%26c')
  })
})

// Before: a value or detector match was found only in the forms one encoder writes (.NET's
// `\u002B` but not `\u002b`, Gson's `\u003d` but not `\u003D`, never two encoders' escapes in
// one value), and the detectors not at all under `\u` escapes: get -o json decoded them back.
describe('JSON string escapes', () => {
  const value = 'pa+ss=word/1'
  const cases: Array<[string, string]> = [
    ['\\u002b alone, lower-case hex', String.raw`pa\u002bss=word/1`],
    ['\\u003D alone, upper-case hex', String.raw`pa+ss\u003Dword/1`],
    ['\\u002B and \\u003d mixed', String.raw`pa\u002Bss\u003dword/1`],
    ['\\u002B, \\u003D and \\/', String.raw`pa\u002Bss\u003Dword\/1`],
    ['\\/ alone', String.raw`pa+ss=word\/1`],
    ['every character escaped', [...value].map((char) => '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0')).join('')],
  ]
  for (const [name, written] of cases) {
    it(`masks a value written with ${name}`, () => {
      const result = capture([`{"pw":"${written}","n":1}\n`], {values: [value], defaults: false})
      expect(result.lines).toEqual(['{"pw":"***","n":1}'])
      expect(result.masked).toBe(1)
    })
  }

  it('masks \\u003C\\u003e in one value, as two encoders would mix them', () => {
    expect(one(String.raw`{"pw":"Tr0ub4dor\u00263\u003Cx\u003e"}`, {values: ['Tr0ub4dor&3<x>'], defaults: false})).toBe('{"pw":"***"}')
  })

  it('keeps every byte outside the masked span, escapes included', () => {
    const line = String.raw`{"a":"caf\u00e9\n","pw":"\tpa\u002Bss=word\/1\"","b":"\/x\\y"}`
    expect(one(line, {values: [value], defaults: false})).toBe(String.raw`{"a":"caf\u00e9\n","pw":"\t***\"","b":"\/x\\y"}`)
  })

  it('masks a non-ASCII value escaped as surrogate pairs, in a UTF-8 line and in one that is not', () => {
    const secret = 'pw\u{1F600}kéy'
    const written = String.raw`"pw\ud83d\ude00k\u00e9y"`
    expect(one(`{"k":${written}}`, {values: [secret], defaults: false})).toBe('{"k":"***"}')
    const latin1 = Buffer.concat([Buffer.from([0xff]), Buffer.from(` {"k":${written}}\n`)])
    expect(capture([latin1], {values: [secret], defaults: false}).entries[0].bytes).toEqual(Buffer.concat([Buffer.from([0xff]), Buffer.from(' {"k":"***"}')]))
  })

  it('still masks a value holding a backslash as written outside JSON', () => {
    expect(one(String.raw`cd C:\new\pw\u00zz done`, {values: [String.raw`C:\new\pw\u00zz`], defaults: false})).toBe('cd *** done')
    expect(one(String.raw`{"dir":"C:\\new\\pw"}`, {values: [String.raw`C:\new\pw`], defaults: false})).toBe('{"dir":"***"}')
  })

  const detected: Array<[string, string, string]> = [
    ["aws_secret_access_key with .NET's \\u002B", String.raw`{"aws_secret_access_key":"wJalrXUtnFEMI\u002BK7MDENG/bPxRfiCYEXAMPLEKEY"}`, '{"aws_secret_access_key":"***"}'],
    ['an escaped key name', String.raw`{"aws_secret\u005faccess_key":"wJalrXUtnFEMI\u002bK7MDENG\/bPxRfiCYEXAMPLEKEY"}`, String.raw`{"aws_secret\u005faccess_key":"***"}`],
    ['GitHub token with \\u0061', String.raw`{"t":"ghp_\u0061bcdefghijklmnopqrstuvwxyz0123456789"}`, '{"t":"***"}'],
    ['AWS access key id starting with \\u0041', String.raw`{"id":"\u0041KIAIOSFODNN7EXAMPLE"}`, '{"id":"***"}'],
    ['Bearer header with \\u002B and \\/', String.raw`{"h":"Authorization: Bearer abc\u002Bdef\/ghi"}`, '{"h":"Authorization: Bearer ***"}'],
    ['token after an escaped newline', String.raw`{"env":"A=1\nGITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a"}`, String.raw`{"env":"A=1\nGITHUB_TOKEN=***"}`],
    ['password in a URL with \\u0040 for its @', String.raw`{"u":"https:\/\/ci:s3cr3t\u0040git.example.com\/x"}`, String.raw`{"u":"https:\/\/ci:***\u0040git.example.com\/x"}`],
  ]
  for (const [name, line, expected] of detected) {
    it(`a default detector finds ${name}`, () => expect(one(line)).toBe(expected))
  }

  it('leaves escaped look-alikes alone', () => {
    // Decoded, a token one character too long; and escapes JSON does not have.
    for (const line of [String.raw`{"k":"AKIA\u0049OSFODNN7EXAMPLE\u0031"}`, String.raw`bad \u12G4 and \x41KIAIOSFODNN7EXAMPLE`]) expect(one(line)).toBe(line)
  })

  it('the chunk scan lets a line through for an escape only when one could spell a trigger', () => {
    const offsets = (masker: Masker, line: string) => masker.scan(Buffer.from(line))
    const plain = new Masker(spec({values: ['plainvalue'], defaults: false}))
    expect(offsets(plain, String.raw`a\/b \"c\" x\u0041`)).toEqual([12])
    const slashed = new Masker(spec({values: ['a/value'], defaults: false}))
    expect(offsets(slashed, String.raw`a\/b \"c\"`)).toEqual([1])
    expect(offsets(new Masker(spec({defaults: false})), String.raw`x\u0041`)).toEqual([])
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

  // Before: `::add-mask::` anywhere in a line registered the rest of it (`JsonAddMask1"}`),
  // masking the JSON's closing quote and brace, and the value itself stayed in later lines.
  it("is a command only at the start of a line, after blanks as GitHub's runner takes it", () => {
    const inJson = capture(['{"msg":"::add-mask::JsonAddMask1"}\nlater JsonAddMask1\n'])
    expect(inJson.lines).toEqual(['{"msg":"::add-mask::JsonAddMask1"}', 'later JsonAddMask1'])
    expect(inJson.masked).toBe(0)
    expect(capture(['echo ::add-mask::notacommand1\nnotacommand1\n']).lines).toEqual(['echo ::add-mask::notacommand1', 'notacommand1'])
    expect(capture(['  \t::add-mask::indented-secret  \r\nx indented-secret\n']).lines).toEqual(['  \t::add-mask::***  \r', 'x ***'])
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
