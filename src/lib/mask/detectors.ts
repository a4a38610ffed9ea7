/**
 * The default secret detectors (`--no-mask-defaults` turns them off). Each has the
 * literal strings one of which every match contains (`triggers`, case variants spelled
 * out): only a line holding a trigger is matched against the pattern. What is masked is
 * the first capture group when the pattern has one, else the whole match.
 *
 * Each is matched against a line with its JSON escapes decoded too (json-escapes.ts), so
 * a pattern need not spell `\/` or `\u002B`.
 *
 * PEM private key blocks span lines, so they are not here: LineMasker tracks them.
 */
export interface Detector {
  name: string
  triggers: string[]
  /** Global, with indices (`dg`), ASCII-only: applied to UTF-8 and latin1 decodings alike. */
  pattern: RegExp
}

/** A command line's value: quoted, to its quote; else to a blank or a quote. */
const VALUE_FORMS = String.raw`(?<=")[^"]+|(?<=')[^']+|(?<!["'])[^\s"']+`
const VALUE = `(${VALUE_FORMS})`
/** A flag's value after its blank (or `=`): not a flag, not a placeholder (`$PASS`, `***`, `<…>`). */
const FLAG_VALUE = String.raw`["']?(?![-*$<{%([])${VALUE}`
/** A value joined to its flag (`-pVALUE`): the two quoted together (`"-pa b"`), the value alone quoted, or bare. Not a placeholder. */
const joinedTo = (flag: string) => String.raw`["']?${flag}["']?(?![*$<{%([])((?<="${flag})[^"]+|(?<='${flag})[^']+|${VALUE_FORMS})`
/**
 * Up to 30 words between a command and its flag. Bounded, and whole words, so that a line of
 * many commands and no flag costs time in proportion to its length (an unbounded `.*` from
 * each command took 2.4 s on 120 KB of `curl -u -u …`, four times as long for twice that).
 */
const TOKENS = String.raw`(?:\s+\S+){0,30}?`
/** curl's flags that take USER:PASSWORD. */
const CURL_USER = String.raw`(?:-[uU]\s*|--(?:proxy-)?user(?:\s+|=))`

export const DEFAULT_DETECTORS: readonly Detector[] = [
  {name: 'AWS access key id', triggers: ['AKIA', 'ASIA'], pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/dg},
  {
    name: 'AWS secret access key',
    triggers: ['secret_access_key', 'SECRET_ACCESS_KEY', 'SecretAccessKey', 'secretAccessKey', 'secret-access-key'],
    pattern: /secret[_-]?access[_-]?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
  },
  {
    name: 'GitHub token',
    triggers: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/dg,
  },
  {name: 'GitLab token', triggers: ['glpat-'], pattern: /\bglpat-[A-Za-z0-9_-]{20,}/dg},
  {name: 'Slack token', triggers: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-'], pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/dg},
  {name: 'Stripe live key', triggers: ['sk_live_', 'rk_live_'], pattern: /\b[sr]k_live_[A-Za-z0-9]{10,}/dg},
  {name: 'Google API key', triggers: ['AIza'], pattern: /\bAIza[0-9A-Za-z_-]{35}/dg},
  {name: 'npm token', triggers: ['npm_'], pattern: /\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/dg},
  {name: 'JSON Web Token', triggers: ['eyJ'], pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/dg},
  {name: 'Bearer token', triggers: ['Bearer', 'bearer', 'BEARER'], pattern: /\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)/dgi},
  // After an Authorization header's scheme, a credential of any length: short tokens too.
  {
    name: 'Authorization header',
    triggers: ['uthorization', 'UTHORIZATION'],
    pattern: /authorization["']?\s*[:=]\s*["']?(?:basic|bearer|token)\s+([A-Za-z0-9._~+/-]+=*)/dgi,
  },
  // `DB_PASSWORD=…` as `env` and `set -x` print it, `"client_secret": "…"`, `password: …`,
  // `--password …` (not `--password-stdin`, nor a flag after it):
  // a quoted value runs to its quote, a bare one to a blank, quote, comma, semicolon or
  // '&'. Not a placeholder (`${X}`, `***`, `<…>`, `%s`) nor a word such as `required`; not
  // `pwd` (the shell's PWD is a directory) nor keys that only start so (`password_file`).
  {
    name: 'password or secret assigned',
    // Word tails, one spelling for either case of the first letter, and `PassWord`'s. The
    // prefilter's buckets (literal-scan.ts) decide how often it stops for nothing on plain
    // lines; measured per 64 KiB of the benchmark's lines, Loghub's, and the former with 20
    // --mask values, with the buckets of the time: these tails 164, 770, 492 stops (1, 466, 655
    // without this detector); the whole words in three cases 164, 441, 1474; "assword"/"ecret"
    // 1310, 2518, 392. No change in push's speed.
    triggers: ['sword', 'SWORD', 'sWord', 'swd', 'SWD', 'sWd', 'ecret', 'ECRET'],
    pattern:
      /(?:--[a-z0-9-]{0,40}?(?:password|passwd|secret)\s+(?!-)|(?:password|passwd|secret(?:[_-]?key)?)["']?\s*[:=]\s*)["']?(?![*$<{%([])(?!(?:true|false|null|none|nil|undefined|required|optional|redacted|hidden|masked|changed|expired|incorrect|invalid)\b)((?<=")[^"]{4,}|(?<=')[^']{4,}|(?<!["'])[^\s"'`,;&]{4,})/dgi,
  },
  // `CODECOV_TOKEN=…`, `"access_token": "…"`, `x-api-key: …`, `--token …`: a value of 8
  // characters or more of a token's alphabet (base64, hex, UUID, JWT) with a digit in it, as
  // generated tokens have. Not `token: none`, nor an object's name (Android's
  // `token=Token{a64f992 …}`, `BinderProxy@2bd79ce`), nor keys `token_type`, `tokens`,
  // `max_tokens`, `--token-file`. Quoted as above; a bare value ends at a blank, quote, `,;&`.
  // The digit within its first 256 characters, a bare value's end looked for within 4096 (read
  // once: no shorter one is tried), a flag's name of 40: when each key read on to the line's
  // end, a line of `apikey=apikey=…` took the square of its length (1.5 s for 64 KB, minutes
  // for a megabyte; now 0.15 s). A value that runs on past 4096 (a JWT with many claims) is
  // masked to its end, whatever follows it: it is no object's name.
  {
    name: 'token or API key assigned',
    // Measured as above, with every other trigger and the JSON escapes (`\u`, `\/`) the masker
    // scans for too: these 0, 2107, 0 stops (109, 1957, 437 without this detector); `TOKEN` for
    // `OKEN` and `pi-Key` for `Api-Key` 659, 1523, 669; `token`, `Token`, `TOKEN` 1395, 1280, 1723.
    triggers: ['oken', 'OKEN', 'apikey', 'apiKey', 'APIKEY', 'api_key', 'API_KEY', 'api-key', 'Api-Key'],
    pattern:
      /(?:--[a-z0-9-]{0,40}?(?:token|api-key)\s+(?!-)|(?:token|api[_-]?key)(?![A-Za-z0-9_-])["']?\s*[:=]\s*)["']?(?![*$<{%([])(?!(?:true|false|null|none|nil|undefined|required|optional|redacted|hidden|masked|expired|invalid)\b)(?=[\w.~+/=:-]{0,256}?\d)((?<=")[^"]{8,}|(?<=')[^']{8,}|(?<!["'])(?=([\w.~+/=:-]{8,4096}))\2(?:(?![^\s"'`,;&])|[\w.~+/=:-]+))/dgi,
  },
  // Passwords on a command line as `set -x` prints it, where a flag and not a name says what
  // the value is: the flag among the command's first TOKENS words. Quoted, to its quote; else
  // to a blank or quote. Not a placeholder (`$PASS`, `***`), nor a flag right after.
  // `curl -u USER:PASSWORD` (`--user`, `--proxy-user`, `-U`): the part after the user's ':',
  // of each such flag within TOKENS of `curl`. `curl` is a lookbehind, tried only where a flag
  // starts: a match that began at `curl` would take the first flag's password only.
  {
    name: 'curl user and password',
    triggers: ['curl'],
    pattern: new RegExp(
      String.raw`(?<=\s)(?=${CURL_USER})(?<=\bcurl${TOKENS}\s+)${CURL_USER}(?:"[^":]*|'[^':]*|[^\s:"']*):(?![*$<{%([])((?<=${CURL_USER}"[^":]*:)[^"]+|(?<=${CURL_USER}'[^':]*:)[^']+|(?<=${CURL_USER}[^\s:"']*:)[^\s"']+)`,
      'dg',
    ),
  },
  // `mysql -pPASSWORD` and its kin (`mysqldump`, `mysqladmin`, `mariadb-dump`…): the value is
  // joined to `-p` (`-p NAME` names a database; `-P` is the port).
  {
    name: 'MySQL password flag',
    triggers: ['mysql', 'mariadb'],
    pattern: new RegExp(String.raw`\b(?:mysql|mariadb)[a-z-]*${TOKENS}\s+${joinedTo('-p')}`, 'dg'),
  },
  {name: 'sshpass password', triggers: ['sshpass'], pattern: new RegExp(String.raw`\bsshpass${TOKENS}\s+-p\s*${FLAG_VALUE}`, 'dg')},
  // `docker login -u USER -p PASSWORD REGISTRY`, and podman's, nerdctl's, buildah's, skopeo's, oras's, `helm registry login`;
  // the clouds' `az login` and `az acr login`, OpenShift's `oc login`, Cloud Foundry's `cf login`.
  {
    name: 'login password flag',
    triggers: ['login'],
    pattern: new RegExp(String.raw`\b(?:docker|podman|nerdctl|buildah|skopeo|oras|helm\s+registry|az(?:\s+acr)?|oc|cf)\s+login${TOKENS}\s+-p(?:\s+|=)?${FLAG_VALUE}`, 'dg'),
  },
  // `redis-cli -a PASSWORD` (`--pass`): redis-cli prints its own warning, the log keeps the password.
  {name: 'redis-cli password', triggers: ['redis-cli'], pattern: new RegExp(String.raw`\bredis-cli${TOKENS}\s+(?:-a|--pass)\s+${FLAG_VALUE}`, 'dg')},
  // OpenSSL's pass phrase argument `pass:PASSWORD` (`-passin`, `-passout`, `-pass`, `-password`),
  // which apksigner takes too (`--ks-pass pass:…`, `--key-pass`); `env:NAME` and `file:PATH` name no secret.
  {
    name: 'pass phrase argument',
    triggers: ['pass:'],
    pattern: /(?:^|\s)--?[a-z-]{0,20}?pass(?:in|out|word)?(?:\s+|=)["']?pass:(?![*$<{%([])((?<="pass:)[^"]+|(?<='pass:)[^']+|(?<!["']pass:)[^\s"']+)/dg,
  },
  // Java's keytool and jarsigner: `-storepass PASSWORD`, `-keypass`, `-srcstorepass`, `-destkeypass`…
  // (`-storepass:env NAME` and `-storepass:file PATH` name no secret).
  {
    name: 'keystore password flag',
    triggers: ['storepass', 'keypass'],
    pattern: new RegExp(String.raw`(?:^|\s)-(?:src|dest)?(?:store|key)pass\s+${FLAG_VALUE}`, 'dg'),
  },
  // `zip -P PASSWORD` and `unzip -P`; 7-Zip's `-pPASSWORD` (`7z`, p7zip's `7za` and `7zr`, 7-Zip's
  // own Linux `7zz`), joined (`-p` alone asks for it).
  {name: 'zip password flag', triggers: [' -P'], pattern: new RegExp(String.raw`\b(?:un)?zip${TOKENS}\s+-P\s*${FLAG_VALUE}`, 'dg')},
  {name: '7-Zip password flag', triggers: ['7z ', '7za', '7zr', '7zz'], pattern: new RegExp(String.raw`\b7z[arz]?${TOKENS}\s+${joinedTo('-p')}`, 'dg')},
  // The password runs to the authority's last '@' (a password may hold one); the authority ends at a '/'.
  {
    name: 'password in a URL',
    triggers: ['://'],
    pattern: /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@"'<>]*:([^\s/"'<>]+)@/dg,
  },
]

/** A PEM private key block: every line from BEGIN to END is masked, the marker lines kept. */
export const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/
export const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/
export const PEM_TRIGGERS = ['PRIVATE KEY-----']

/** GitHub's workflow command that registers a value to mask from that line on. */
export const ADD_MASK = '::add-mask::'
/** As GitHub's runner takes a command: at the start of a line, after any blanks (ActionCommand.TryParseV2 trims them). */
export const ADD_MASK_COMMAND = /^\s*::add-mask::/
