/**
 * `/login`: the form posts the token to the relay, which answers with an HttpOnly cookie.
 * Before posting, the token is tried once against the API (in a header, never a URL) so a
 * wrong token is reported here instead of after a redirect.
 */
import {h} from './dom.js'

export function mountLogin(mount: HTMLElement): void {
  document.title = 'log in · logs'
  const params = new URLSearchParams(location.search)
  const next = params.get('next') ?? '/'
  const token = h('input', {type: 'password', name: 'token', required: true, autocomplete: 'current-password', 'aria-label': 'Token', placeholder: 'Token'})
  const error = h('p', {class: 'error', role: 'alert'}, params.has('failed') ? 'That token was not accepted.' : '')
  const form = h(
    'form',
    {method: 'post', action: '/login', class: 'login'},
    h('h1', {}, 'logs'),
    h('p', {}, 'This relay needs a token (the one given to logs serve with --token or --read-token).'),
    token,
    h('input', {type: 'hidden', name: 'next', value: next}),
    h('button', {type: 'submit'}, 'Log in'),
    error,
  )
  let checked = false
  form.addEventListener('submit', (event) => {
    if (checked) return
    event.preventDefault()
    fetch('/v1/jobs', {headers: {authorization: `Bearer ${token.value}`}, credentials: 'omit'})
      .then((response) => {
        if (response.status === 401 || response.status === 403) {
          error.textContent = 'That token was not accepted.'
          return
        }
        checked = true
        form.requestSubmit()
      })
      .catch(() => {
        error.textContent = 'The relay cannot be reached.'
      })
  })
  mount.replaceChildren(h('div', {class: 'login-page'}, form))
  token.focus()
}
