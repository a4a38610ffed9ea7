/**
 * One regular expression that finds any of many literal strings, written as a trie
 * (`A(?:KIA|SIA|Iza)|gh[opsru]_|…`) so the engine dispatches on each character once
 * instead of trying every alternative at every position: the prefilter that lets masking
 * skip the lines that cannot hold a secret at a fraction of the cost of decoding them.
 */
interface Trie {
  end: boolean
  next: Map<string, Trie>
}

export function literalAlternation(literals: Iterable<string>): RegExp | undefined {
  const root: Trie = {end: false, next: new Map()}
  let any = false
  for (const literal of literals) {
    if (literal.length === 0) continue
    any = true
    let node = root
    for (const char of literal) {
      let child = node.next.get(char)
      if (!child) node.next.set(char, (child = {end: false, next: new Map()}))
      node = child
    }
    node.end = true
  }
  return any ? new RegExp(source(root), 'g') : undefined
}

/** The pattern for what may follow a node; a node that ends a literal stops there (any match is enough). */
function source(node: Trie): string {
  const branches = [...node.next].map(([char, child]) => (child.end ? escape(char) : escape(char) + group(child)))
  return branches.join('|')
}

function group(node: Trie): string {
  if (node.next.size === 1) {
    const [[char, child]] = node.next
    return child.end ? escape(char) : escape(char) + group(child)
  }
  return `(?:${source(node)})`
}

function escape(char: string): string {
  return char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}
