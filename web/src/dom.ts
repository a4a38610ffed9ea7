/** Tiny DOM helpers: elements from tag, properties and children (text is always textContent). */

type Child = Node | string | undefined | false

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string | boolean>> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue
    if (key === 'class') node.className = String(value)
    else if (key.startsWith('data-') || key.startsWith('aria-') || !(key in node)) node.setAttribute(key, value === true ? '' : value)
    else (node as unknown as Record<string, unknown>)[key] = value
  }
  for (const child of children) if (child !== undefined && child !== false) node.append(child)
  return node
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** "just now", "42s", "5m", "3h", "2d" ago. */
export function formatAge(from: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - from) / 1000))
  if (seconds < 5) return 'just now'
  if (seconds < 60) return `${seconds}s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`
  return `${Math.floor(seconds / 86_400)}d ago`
}
