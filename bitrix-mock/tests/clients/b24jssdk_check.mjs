// Calls a b24jssdk user makes first, against the bitrix-mock binary.
//
// @bitrix24/b24jssdk is the official JS SDK. Its webhook client accepts HTTPS URLs only, so the
// mock runs with --tls and NODE_EXTRA_CA_CERTS names its certificate. Reads the mock's `--json`
// line from the file BITRIX_MOCK_JSON (the mock started with --seed crm.contact=120), configures
// the library with the webhook (B24Hook.fromWebhookUrl) and with the OAuth tokens (B24OAuth) the
// way its guide shows, runs each call through the `actions.v2` API, checks the answer as a real
// portal would give it, prints `N of M calls answered as a portal would` and exits non-zero if
// any call was not.

import { readFileSync } from 'node:fs'
import { B24Hook, B24OAuth } from '@bitrix24/b24jssdk'

const SEEDED = 120
const creds = JSON.parse(readFileSync(process.env.BITRIX_MOCK_JSON, 'utf8'))
const base = new URL(creds.base_url)

const hook = B24Hook.fromWebhookUrl(creds.webhook_url)
hook.offClientSideWarning()
const oauth = new B24OAuth(
  {
    applicationToken: '',
    userId: 1,
    memberId: '',
    accessToken: creds.access_token,
    refreshToken: creds.refresh_token,
    expires: Math.floor(Date.now() / 1000) + 3600,
    expiresIn: 3600,
    scope: '',
    domain: base.host,
    clientEndpoint: `${creds.base_url}/rest/`,
    // The authorization server: the library posts refreshes to `<this without /rest/>/oauth/token/`.
    serverEndpoint: `${creds.base_url}/rest/`,
    status: 'L'
  },
  { clientId: creds.client_id, clientSecret: creds.client_secret }
)
oauth.offClientSideWarning()

function assert(condition, what) {
  if (!condition) {
    throw new Error(`not as a portal answers: ${what}`)
  }
}

async function call(b24, method, params = {}) {
  const response = await b24.actions.v2.call.make({ method, params })
  assert(response.isSuccess, `${method}: ${response.getErrorMessages().join('; ')}`)
  return response
}

async function control(action, body = {}) {
  const response = await fetch(`${creds.control_url}${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${creds.control_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  assert(response.ok, `control ${action}: ${response.status}`)
}

/** The error a call ends with, whichever way the library reports it: thrown, or in the result. */
async function failure(b24, method, params) {
  try {
    const response = await b24.actions.v2.call.make({ method, params })
    assert(!response.isSuccess, `${method} succeeded`)
    const [error] = [...response.errors.values()]
    return error
  } catch (error) {
    return error
  }
}

const checks = []
const check = (name, fn) => checks.push([name, fn])
const deal = {}

check('profile (webhook)', async () => {
  const result = (await call(hook, 'profile')).getData().result
  assert(result.ID === '1' && result.ADMIN === true, JSON.stringify(result))
})

check('server.time (webhook)', async () => {
  const result = (await call(hook, 'server.time')).getData().result
  assert(typeof result === 'string' && !Number.isNaN(Date.parse(result)), result)
})

check('user.current (OAuth)', async () => {
  const result = (await call(oauth, 'user.current')).getData().result
  assert(result.ID === '1', JSON.stringify(result))
})

check('app.info (OAuth)', async () => {
  const result = (await call(oauth, 'app.info')).getData().result
  assert(result.INSTALLED === true && result.STATUS === 'L', JSON.stringify(result))
})

check('isAdmin from profile (OAuth)', async () => {
  await oauth.initIsAdmin()
  assert(oauth.auth.isAdmin === true, 'not an administrator')
})

check('crm.deal.add then crm.deal.get', async () => {
  const id = (await call(hook, 'crm.deal.add', { fields: { TITLE: 'Mock deal', OPPORTUNITY: 500 } }))
    .getData().result
  assert(Number.isInteger(id) && id > 0, String(id))
  const got = (await call(hook, 'crm.deal.get', { id })).getData().result
  assert(got.TITLE === 'Mock deal' && Number(got.ID) === id, JSON.stringify(got))
  deal.id = id
})

check('crm.deal.list with a filter', async () => {
  await call(hook, 'crm.deal.add', { fields: { TITLE: 'Other deal', OPPORTUNITY: 50 } })
  const response = await call(hook, 'crm.deal.list', {
    filter: { '>OPPORTUNITY': 100 },
    select: ['ID', 'TITLE']
  })
  const result = response.getData().result
  assert(result.length === 1 && Number(result[0].ID) === deal.id, JSON.stringify(result))
  assert(response.getTotal() === 1, `total ${response.getTotal()}`)
})

check('batch of crm.deal.get and crm.contact.get', async () => {
  const response = await hook.actions.v2.batch.make({
    calls: {
      deal: { method: 'crm.deal.get', params: { id: deal.id } },
      contact: { method: 'crm.contact.get', params: { id: 7 } }
    },
    options: { isHaltOnError: true }
  })
  assert(response.isSuccess, response.getErrorMessages().join('; '))
  const data = response.getData()
  const result = (key) => {
    const one = data[key]
    return typeof one?.getData === 'function' ? one.getData().result : one
  }
  assert(result('deal').TITLE === 'Mock deal', JSON.stringify(data))
  assert(Number(result('contact').ID) === 7, JSON.stringify(data))
})

check('crm.contact.list over all pages (callList)', async () => {
  const response = await hook.actions.v2.callList.make({
    method: 'crm.contact.list',
    params: { select: ['ID', 'NAME'] },
    idKey: 'ID'
  })
  assert(response.isSuccess, response.getErrorMessages().join('; '))
  const ids = response.getData().map((c) => Number(c.ID))
  assert(ids.length === SEEDED && ids.every((id, i) => id === i + 1), ids.slice(0, 5).join())
})

check('crm.contact.list in chunks (fetchList)', async () => {
  const ids = []
  for await (const chunk of hook.actions.v2.fetchList.make({
    method: 'crm.contact.list',
    params: { select: ['ID'] },
    idKey: 'ID'
  })) {
    ids.push(...chunk.map((c) => Number(c.ID)))
  }
  assert(ids.length === SEEDED && ids.every((id, i) => id === i + 1), ids.slice(0, 5).join())
})

check('crm.contact.list page by page (classic start/next)', async () => {
  let response = await call(hook, 'crm.contact.list', { select: ['ID'] })
  let pages = 1
  assert(response.getTotal() === SEEDED && response.isMore(), `total ${response.getTotal()}`)
  while (response.isMore()) {
    response = await response.getNext(hook.getHttpClient(response.getQuery().apiVersion ?? 'v2'))
    pages += 1
  }
  assert(pages === 3, `${pages} pages`)
})

check('crm.deal.get of a missing deal fails with the portal status', async () => {
  // The portal answers `{"error": "", "error_description": "Not found"}`: with an empty code the
  // library keeps only the HTTP status, as it does against a real portal.
  const error = await failure(hook, 'crm.deal.get', { id: 999999 })
  assert(error && error.status === 400, `status ${error?.status}`)
})

check('department.update of a missing department surfaces ERROR_CORE', async () => {
  const error = await failure(hook, 'department.update', { ID: 999999, NAME: 'Nobody' })
  assert(error && error.status === 400 && error.code === 'ERROR_CORE', `${error?.code}: ${error?.message}`)
  assert(String(error.message).includes('Department not found'), error.message)
})

check('an unknown method surfaces ERROR_METHOD_NOT_FOUND', async () => {
  const error = await failure(hook, 'crm.nothing.get', { id: 1 })
  assert(error && error.code === 'ERROR_METHOD_NOT_FOUND', `${error?.code}: ${error?.message}`)
})

check('an expired OAuth token is refreshed at the token endpoint and the call retried', async () => {
  await control('expire-tokens')
  const result = (await call(oauth, 'user.current')).getData().result
  assert(result.ID === '1', JSON.stringify(result))
  const auth = oauth.auth.getAuthData()
  assert(auth && auth.access_token !== creds.access_token, 'the token was not renewed')
})

let passed = 0
for (const [name, fn] of checks) {
  try {
    await fn()
    passed += 1
    console.log(`ok: ${name}`)
  } catch (error) {
    console.error(`FAILED: ${name}`)
    console.error(error)
  }
}
console.log(`${passed} of ${checks.length} calls answered as a portal would`)
process.exit(passed === checks.length ? 0 : 1)
