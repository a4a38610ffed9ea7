/** The page's entry: one bundle, routed by path (the relay serves the same shell for each). */
import {JobsPage} from './jobs-page.js'
import {mountLogin} from './login-page.js'
import {ViewerPage} from './viewer-page.js'

declare global {
  interface Window {
    /** For tests and benchmarks: the viewer's state. */
    logsViewer?: ViewerPage
  }
}

const mount = document.getElementById('app')!
const path = location.pathname
const job = /^\/jobs\/([^/]+)\/?$/.exec(path)
if (job) window.logsViewer = new ViewerPage(decodeURIComponent(job[1]), mount)
else if (path === '/login') mountLogin(mount)
else new JobsPage(mount)
