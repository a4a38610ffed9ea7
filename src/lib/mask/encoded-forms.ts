/**
 * The forms a secret value takes when a program writes it into a JSON string or a URL.
 * Each is masked as the value is: a reader decodes them back to the value (`get -o json`
 * prints a JSON line's fields decoded), and GitHub Actions masks such forms too.
 *
 * A JSON string has `"`, `\` and control characters escaped (JSON.stringify); encoders
 * differ in what else they escape, each in one consistent way: every combination below is
 * a form. Most values hold none of these characters and have no other form.
 */

/** Characters written `\u00XX` beyond what JSON requires, and the case of the hex digits. */
const HEX_ESCAPES: Array<{chars: string; upper: boolean}> = [
  {chars: '', upper: false}, // JSON.stringify, serde, Jackson; Python's non-ASCII escapes
  {chars: '&<>', upper: false}, // Go encoding/json, Rails
  {chars: "&<>'=", upper: false}, // Gson
  {chars: '&<>\'"', upper: true}, // PHP's JSON_HEX_* flags
  {chars: '&<>\'"+`', upper: true}, // .NET System.Text.Json
]

/** The forms of `value` other than itself: JSON-escaped ones (with `/` as `\/` as PHP writes it, non-ASCII as `\uXXXX` as Python and PHP do) and URL-encoded. */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>()
  // encodeURIComponent throws on a lone surrogate (a config file's "\ud800"), which no URL holds.
  if (!/\p{Cs}/u.test(value)) forms.add(encodeURIComponent(value))
  for (const {chars, upper} of HEX_ESCAPES) {
    for (const slash of [false, true]) {
      for (const nonAscii of [false, true]) {
        forms.add(jsonString(value, (char) => (chars.includes(char) || (nonAscii && char > '\x7f') ? hex(char, upper) : slash && char === '/' ? '\\/' : undefined)))
      }
    }
  }
  forms.delete(value)
  return [...forms]
}

/** The inside of a JSON string: `escape`'s form of a character, else JSON.stringify's. */
function jsonString(value: string, escape: (char: string) => string | undefined): string {
  let out = ''
  for (const char of value) out += escape(char) ?? JSON.stringify(char).slice(1, -1)
  return out
}

/** `\uXXXX` for each UTF-16 unit of the character (a pair of them past U+FFFF). */
function hex(char: string, upper: boolean): string {
  let out = ''
  for (let i = 0; i < char.length; i++) {
    const digits = char.charCodeAt(i).toString(16).padStart(4, '0')
    out += '\\u' + (upper ? digits.toUpperCase() : digits)
  }
  return out
}
