/**
 * The form a secret value takes in a URL, masked as the value is: a reader decodes it back
 * to the value, and GitHub Actions masks it too. (JSON escapes need no forms: the masker
 * matches a line with its escapes decoded, json-escapes.ts.)
 */

/** `value` as encodeURIComponent writes it; undefined when that is the value itself. */
export function urlEncoded(value: string): string | undefined {
  // encodeURIComponent throws on a lone surrogate (a config file's "\ud800"), which no URL holds.
  if (/\p{Cs}/u.test(value)) return undefined
  const encoded = encodeURIComponent(value)
  return encoded === value ? undefined : encoded
}
