/**
 * A job's output full of secrets, one of each source and each default detector, and the
 * environment and files that register them. `SECRETS` are the values no store may keep.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const SOURCE_SECRETS = {
  maskEnv: 'env-secret-value-1',
  logsMaskEnv: 'logs-mask-env-secret-2',
  configEnv: 'config-env-secret-3',
  configValue: 'config-literal-secret-4',
  file: 'file-secret-value-5',
  flag: 'flag-secret-value-6',
  regex: 'regexsecret7',
  addMask: 'addmask-secret-8',
}

export const DETECTOR_SECRETS = [
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  'glpat-Zz9xxxxxxxxxxxxxxxxx1234',
  'xoxb-2334-1234-abcdefghijklm',
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
  'npm_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  'bearer0123456789abcdefTOKEN',
  'dXNlcjpwYXNzd29yZA==',
  'urlpassw0rd',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
  'pemSecondLineOfTheKeyBody0123',
  'assignedDbPassw0rd',
  'codecovT0kenValue1234',
  'curlUserPassw0rd',
  'mysqlPassw0rd9',
  'sshpassPassw0rd',
  'registryPassw0rd',
  'redisCliPassw0rd',
  'opensslPassw0rd',
  'keystorePassw0rd',
  'zipPassw0rd',
  'sevenZipPassw0rd',
  'ocLoginPassw0rd',
  // A token longer than 4096 characters (a JWT with many claims).
  `l0ngT0ken${'x1'.repeat(2600)}`,
]

/** Any 40 characters of the long token: found wherever a piece of it is left unmasked. */
const LONG_TOKEN_PIECE = 'x1'.repeat(20)

export const SECRETS = [...Object.values(SOURCE_SECRETS), ...DETECTOR_SECRETS, LONG_TOKEN_PIECE]

/** The lines, and how many occurrences they mask. */
export const LINES = [
  'starting deploy',
  `env dump: MASK_ME=${SOURCE_SECRETS.maskEnv} OTHER=${SOURCE_SECRETS.logsMaskEnv}`,
  `config says ${SOURCE_SECRETS.configEnv} and ${SOURCE_SECRETS.configValue}`,
  `from a file: ${SOURCE_SECRETS.file}; from a flag: ${SOURCE_SECRETS.flag}`,
  `request session=${SOURCE_SECRETS.regex} ok`,
  `leaked before registration: nothing`,
  `::add-mask::${SOURCE_SECRETS.addMask}`,
  `later: ${SOURCE_SECRETS.addMask}`,
  `aws_access_key_id=${DETECTOR_SECRETS[0]} aws_secret_access_key=${DETECTOR_SECRETS[1]}`,
  `tokens ${DETECTOR_SECRETS[2]} ${DETECTOR_SECRETS[3]} ${DETECTOR_SECRETS[4]}`,
  `slack ${DETECTOR_SECRETS[5]} stripe ${DETECTOR_SECRETS[6]} google ${DETECTOR_SECRETS[7]}`,
  `//registry.npmjs.org/:_authToken=${DETECTOR_SECRETS[8]}`,
  `jwt=${DETECTOR_SECRETS[9]}`,
  `+ curl -H 'Authorization: Bearer ${DETECTOR_SECRETS[10]}' https://api.example.com`,
  `Authorization: Basic ${DETECTOR_SECRETS[11]}`,
  `git clone https://ci:${DETECTOR_SECRETS[12]}@git.example.com/repo.git`,
  `+ export DB_PASSWORD=${DETECTOR_SECRETS[15]}`,
  `CODECOV_TOKEN=${DETECTOR_SECRETS[16]}`,
  `+ curl -fsS -u deploy:${DETECTOR_SECRETS[17]} https://nexus.example.com/upload`,
  `+ mysqldump -h db -uroot -p${DETECTOR_SECRETS[18]} app`,
  `+ sshpass -p ${DETECTOR_SECRETS[19]} ssh deploy@host uptime`,
  `+ docker login -u ci -p ${DETECTOR_SECRETS[20]} registry.example.com`,
  `+ redis-cli -h cache -a ${DETECTOR_SECRETS[21]} --no-auth-warning PING`,
  `+ openssl pkcs12 -in cert.p12 -passin pass:${DETECTOR_SECRETS[22]} -nodes`,
  `+ keytool -list -keystore release.jks -storepass ${DETECTOR_SECRETS[23]}`,
  `+ zip -r -P ${DETECTOR_SECRETS[24]} out.zip dist`,
  `+ 7z a -p${DETECTOR_SECRETS[25]} out.7z dist`,
  `+ oc login https://api.cluster:6443 -u dev -p ${DETECTOR_SECRETS[26]}`,
  `ACCESS_TOKEN=${DETECTOR_SECRETS[27]}`,
  '-----BEGIN PRIVATE KEY-----',
  DETECTOR_SECRETS[13],
  DETECTOR_SECRETS[14],
  '-----END PRIVATE KEY-----',
  'ERROR done',
]
export const INPUT = LINES.join('\n') + '\n'
export const MASKED_OCCURRENCES = 2 + 2 + 2 + 1 + 2 + 2 + 3 + 3 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 4 + 6 + 1 + 2

/** Environment and files that register every source's secret (files outside the searched dirs). */
export function maskSources(): {env: NodeJS.ProcessEnv; args: string[]; dir: string} {
  const dir = mkdtempSync(join(tmpdir(), 'logs-mask-sources-'))
  const file = join(dir, 'secrets.txt')
  writeFileSync(file, `${SOURCE_SECRETS.file}\n`)
  const config = join(dir, 'config.json')
  writeFileSync(config, JSON.stringify({maskEnv: ['CONFIG_SECRET'], mask: [SOURCE_SECRETS.configValue]}))
  return {
    dir,
    env: {MASK_ME: SOURCE_SECRETS.maskEnv, OTHER_SECRET: SOURCE_SECRETS.logsMaskEnv, CONFIG_SECRET: SOURCE_SECRETS.configEnv, LOGS_MASK_ENV: 'OTHER_SECRET', LOGS_CONFIG: config},
    args: ['--mask-env', 'MASK_ME', '--mask-file', file, '--mask', SOURCE_SECRETS.flag, '--mask-regex', 'session=(\\w+)'],
  }
}
