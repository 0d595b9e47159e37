// Agor's web page: plain ES module, no build step. Talks to the daemon's HTTP API with the session
// cookie (and the X-Agor-Request header on changes), follows GET /events for live updates.

const $ = (id) => document.getElementById(id);
const ACTIVE = new Set(['queued', 'running', 'awaiting_permission']);

const state = {
  sessions: new Map(),
  current: null,       // the session shown
  view: null,          // per-session render state: { tasks, tools, lastSequence, streaming, loading, buffered }
  lastEventId: null,
  source: null,
  retryTimer: null,
  signedIn: true,
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function api(method, path, body) {
  return (await apiPage(method, path, body)).json;
}

// A whole paged listing: follows the Next-Cursor header of each page and joins the pages.
async function apiAll(path) {
  const items = [];
  let page = await apiPage('GET', path);
  for (;;) {
    items.push(...page.json);
    if (!page.next) { return items; }
    page = await apiPage('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(page.next)}`);
  }
}

async function apiPage(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { 'X-Agor-Request': '1', Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (response.status === 401) { showSignedOut(); }
  if (!response.ok) { throw new ApiError(response.status, (json && (json.detail || json.title)) || response.statusText); }
  return { json, next: response.headers.get('Next-Cursor') };
}

function report(error) {
  if (error instanceof ApiError && error.status === 401) { return; }
  const box = $('alert');
  box.textContent = error.message || String(error);
  box.hidden = false;
}

function clearAlert() { $('alert').hidden = true; $('alert').textContent = ''; }

// ---------------------------------------------------------------- helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) { continue; }
    if (key === 'class') { node.className = value; } else if (key.startsWith('on')) { node.addEventListener(key.slice(2), value); } else { node.setAttribute(key, value === true ? '' : value); }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) { node.append(child instanceof Node ? child : document.createTextNode(String(child))); }
  }
  return node;
}

const pretty = (value) => typeof value === 'string' ? value : JSON.stringify(value, null, 2);
const statusText = (s) => (s || '').replaceAll('_', ' ');
// A task someone stopped is "stopped" to a person, not an error.
const taskStatusText = (s) => s === 'cancelled' ? 'stopped' : statusText(s);

function debounce(fn, ms) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}

// ---------------------------------------------------------------- sessions list and executors

async function loadSessions() {
  const sessions = await apiAll('/sessions');
  state.signedIn = true;
  $('signed-out').hidden = true;
  $('sign-out').hidden = false;
  state.sessions = new Map(sessions.map((s) => [s.id, s]));
  renderSessions();
}

function renderSessions() {
  const list = $('sessions');
  const sorted = [...state.sessions.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
  list.replaceChildren(...sorted.map((s) => el('li', {},
    el('a', { href: `#/sessions/${s.id}`, 'aria-current': state.current === s.id ? 'page' : null },
      s.title || s.cwd,
      el('span', { class: 'state' }, `${statusText(s.status)}${s.title ? ' · ' + s.cwd : ''}`)))));
  if (sorted.length === 0) { list.append(el('li', { class: 'muted' }, 'No sessions yet.')); }
  const shown = state.current && state.sessions.get(state.current);
  if (shown) { renderSessionHead(shown); }
}

const refreshSessions = debounce(() => loadSessions().catch(report), 150);

async function loadExecutors() {
  const executors = await api('GET', '/executors');
  const rows = executors.map((e) => el('tr', {}, el('td', {}, e.pid), el('td', {}, e.unix_user), el('td', {}, e.state), el('td', {}, e.task_id || '—')));
  if (rows.length === 0) { rows.push(el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'No executors running.'))); }
  $('executors').replaceChildren(...rows);
}

const refreshExecutors = debounce(() => loadExecutors().catch(report), 150);

// ---------------------------------------------------------------- routing

function show(section) {
  for (const id of ['signed-out', 'welcome', 'new-form-view', 'session-view']) { $(id).hidden = id !== section; }
  // On a phone only one of the list and the main part shows: the sign-in hint is the main part.
  document.body.classList.toggle('detail', section !== 'welcome');
}

function showSignedOut() {
  state.signedIn = false;
  $('sign-out').hidden = true;
  show('signed-out');
}

async function route() {
  clearAlert();
  if (!state.signedIn) { showSignedOut(); return; }
  const match = location.hash.match(/^#\/sessions\/([^/]+)$/);
  if (location.hash === '#/new') {
    state.current = null; state.view = null;
    show('new-form-view');
    $('f-cwd').focus();
  } else if (match) {
    await openSession(decodeURIComponent(match[1]));
  } else {
    state.current = null; state.view = null;
    show('welcome');
  }
  renderSessions();
}

// ---------------------------------------------------------------- the session view

function renderSessionHead(session) {
  $('session-title').textContent = session.title || 'Session';
  $('session-cwd').textContent = session.cwd;
  $('session-mode').textContent = session.permission_mode;
  $('prompt-mode-session').textContent = `session's mode (${session.permission_mode})`;
  $('prompt-model').placeholder = session.model ? `session's model (${session.model})` : "session's model";
  $('session-status').textContent = statusText(session.status);
}

async function openSession(id) {
  state.current = id;
  const view = { id, tasks: new Map(), tools: new Map(), permissions: new Map(), lastSequence: 0, streaming: new Map(), loading: true, buffered: [] };
  state.view = view;
  $('conversation').replaceChildren();
  show('session-view');
  try {
    const [session, tasks, messages, permissions] = await Promise.all([
      api('GET', `/sessions/${id}`),
      apiAll(`/sessions/${id}/tasks`),
      api('GET', `/sessions/${id}/messages`),
      apiAll('/permissions?status=pending'),
    ]);
    if (state.view !== view) { return; }
    state.sessions.set(id, session);
    renderSessionHead(session);
    for (const task of tasks) { onTask(task); }
    for (const message of messages) { onMessage(message); }
    for (const permission of permissions.filter((p) => p.session_id === id)) { onPermission(permission); }
    // Events that came while the history loaded: applied now; those already seen are skipped.
    view.loading = false;
    for (const [type, data] of view.buffered.splice(0)) { applyEvent(type, data); }
    updateStop();
    scrollDown(true);
  } catch (error) {
    report(error);
  }
}

function taskGroup(taskId, task) {
  const view = state.view;
  let group = view.tasks.get(taskId);
  if (!group) {
    const node = el('div', { class: 'task', 'data-task': taskId });
    const prompt = el('div', { class: 'msg user' });
    const body = el('div', { class: 'task-body' });
    const status = el('div', { class: 'task-status' });
    const egress = el('div', { class: 'egress' });
    node.append(prompt, body, status, egress);
    group = { node, prompt, body, status, egress, task: null, egressAsked: false, egressAskedEnded: false };
    view.tasks.set(taskId, group);
    $('conversation').append(node);
  }
  if (task) {
    group.task = task;
    group.prompt.textContent = task.prompt;
    renderTaskStatus(group);
    // The task's connections: read when the task is first shown, and again once it has ended.
    const ended = !ACTIVE.has(task.status);
    if (!group.egressAsked || (ended && !group.egressAskedEnded)) {
      group.egressAsked = true;
      group.egressAskedEnded = ended;
      loadEgress(view, taskId);
    }
  }
  return group;
}

// ---------------------------------------------------------------- a task's network connections

async function loadEgress(view, taskId) {
  try {
    const connections = await apiAll(`/tasks/${encodeURIComponent(taskId)}/egress`);
    const group = state.view === view && view.tasks.get(taskId);
    if (group) { renderEgress(group, connections); }
  } catch (error) {
    report(error);
  }
}

const hostPort = (host, port) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

function bytes(count) {
  const n = Number(count) || 0;
  if (n < 1024) { return `${n} B`; }
  if (n < 1024 * 1024) { return `${(n / 1024).toFixed(1)} KiB`; }
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

// Host and reason come from the agent's side: they only ever become text nodes.
function renderEgress(group, all) {
  const running = group.task && ACTIVE.has(group.task.status);
  // The gateway records the task's model requests too: counted apart, the table is the agent's own connections.
  const models = all.filter((c) => c.kind === 'model');
  const connections = all.filter((c) => c.kind !== 'model');
  const modelLine = models.length > 0
    ? el('p', { class: 'egress-empty' }, `Model: ${models.length} request${models.length === 1 ? '' : 's'}${models.some((c) => !c.allowed) ? `, ${models.filter((c) => !c.allowed).length} refused` : ''}`)
    : null;
  if (connections.length === 0) {
    group.egress.replaceChildren(el('p', { class: 'egress-empty' }, running ? 'No network connections yet.' : 'No network connections.'), ...(modelLine ? [modelLine] : []));
    return;
  }
  const refused = connections.filter((c) => !c.allowed).length;
  const head = el('tr', {}, ...['Decision', 'Host', 'Address', 'Up', 'Down', 'Reason'].map((h) => el('th', { scope: 'col' }, h)));
  const rows = connections.map((c) => el('tr', { class: c.allowed ? 'allowed' : 'refused' },
    el('td', { class: 'decision' }, el('span', { 'aria-hidden': 'true' }, c.allowed ? '✓ ' : '✗ '), c.allowed ? 'allowed' : 'refused'),
    el('td', {}, hostPort(String(c.host), c.port)),
    el('td', {}, c.address || '—'),
    el('td', { class: 'num' }, bytes(c.bytes_up)),
    el('td', { class: 'num' }, bytes(c.bytes_down)),
    el('td', { class: 'reason' }, c.allowed && c.reason === 'allowed' ? '' : c.reason)));
  const count = `${connections.length} connection${connections.length === 1 ? '' : 's'}${refused ? `, ${refused} refused` : ''}`;
  group.egress.replaceChildren(el('details', { open: connections.length <= 20 },
    el('summary', {}, `Network: ${count}`),
    el('div', { class: 'egress-scroll' },
      el('table', { class: 'egress-table', 'aria-label': 'Network connections' }, el('thead', {}, head), el('tbody', {}, rows)))));
  if (modelLine) { group.egress.append(modelLine); }
}

// GET /health says when agents run unconfined (auto) or tasks are refused (required): a banner then.
async function loadSandboxBanner() {
  const response = await fetch('/health', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const health = await response.json();
  const banner = $('sandbox-banner');
  const warning = health && health.sandbox && health.sandbox.warning;
  banner.textContent = warning ? `Sandbox: ${warning}` : '';
  banner.hidden = !warning;
}

function renderTaskStatus(group) {
  const t = group.task;
  if (!t) { return; }
  const parts = [el('span', { class: t.status === 'cancelled' ? 'stopped' : t.status }, taskStatusText(t.status))];
  const u = t.token_usage;
  if (u) { parts.push(` · ${u.input_tokens ?? 0} in / ${u.output_tokens ?? 0} out tokens`); }
  if (t.permission_mode && t.permission_mode !== (state.sessions.get(t.session_id) || {}).permission_mode) { parts.push(` · ${t.permission_mode}`); }
  if (t.model && t.model !== (state.sessions.get(t.session_id) || {}).model) { parts.push(` · ${t.model}`); }
  if (typeof t.cost_usd === 'number') { parts.push(` · $${t.cost_usd.toFixed(4)}`); }
  if (t.sandbox) {
    parts.push(' · ', t.sandbox.confined
      ? el('span', { class: 'sandbox confined', title: `namespaces: ${(t.sandbox.namespaces || []).join(', ')}; seccomp: ${t.sandbox.seccomp ? 'yes' : 'no'}; limits: ${t.sandbox.limits}` }, `confined (${t.sandbox.mechanism})`)
      : el('span', { class: 'sandbox unconfined', title: t.sandbox.reason || '' }, `UNCONFINED${t.sandbox.reason ? `: ${t.sandbox.reason}` : ''}`));
  }
  group.status.replaceChildren(...parts);
  // The agent reports a run it was stopped in as an error (error_during_execution): not one to the person who stopped it.
  if (t.status === 'cancelled') { for (const node of group.body.querySelectorAll(':scope > .msg.error.run-error')) { node.remove(); } }
  const existing = group.node.querySelector(':scope > .msg.error.task-error');
  if (t.error && !existing) {
    group.status.before(el('div', { class: 'msg error task-error' }, `Error: ${t.error.message || t.error.code}`));
  }
}

function onTask(task) {
  const view = state.view;
  if (!view || task.session_id !== view.id) { return; }
  taskGroup(task.id, task);
  if (!ACTIVE.has(task.status)) { endStreaming(task.id); }
  updateStop();
}

function updateStop() {
  const view = state.view;
  const running = view && [...view.tasks.values()].map((g) => g.task).find((t) => t && ACTIVE.has(t.status));
  $('stop').hidden = !running;
  $('stop').dataset.task = running ? running.id : '';
}

// event_data is the agent's own frame: Claude Code's stream-json, a Codex app-server notification
// (`method`, `params`) or a Gemini ACP `session/update`. Only agentFrames and deltaText read those
// shapes; they give the page parts: text, tool (id, name, input) and result (id, text, isError).
const CODEX_TOOLS = { commandExecution: 'exec_command', fileChange: 'apply_patch' };

function codexParts(eventType, data) {
  const item = (data.params && data.params.item) || {};
  if (data.method === 'item/completed' && item.type === 'agentMessage') { return item.text ? [{ kind: 'text', text: item.text }] : []; }
  if (eventType !== 'tool_call' && eventType !== 'tool_result') { return []; }
  const name = CODEX_TOOLS[item.type] || item.tool || item.type || 'tool';
  const input = item.type === 'commandExecution' ? { command: item.command, cwd: item.cwd }
    : item.type === 'fileChange' ? { changes: (item.changes || []).map((c) => c.path) } : item.arguments ?? {};
  const parts = [{ kind: 'tool', id: item.id, name, input }];
  if (eventType === 'tool_result') {
    const isError = item.status === 'failed' || item.status === 'declined' || (typeof item.exitCode === 'number' && item.exitCode !== 0);
    const text = item.aggregatedOutput || (item.type === 'fileChange' && !isError ? (item.changes || []).map((c) => c.path).join('\n') : item.status || '');
    parts.push({ kind: 'result', id: item.id, text, isError });
  }
  return parts;
}

function geminiParts(eventType, data) {
  const update = (data.params && data.params.update) || {};
  if (update.sessionUpdate !== 'tool_call' && update.sessionUpdate !== 'tool_call_update') { return []; }
  const id = update.toolCallId || '';
  const name = id.includes('__') ? id.slice(0, id.indexOf('__')) : update.kind || 'tool';
  const content = Array.isArray(update.content) ? update.content : [];
  const text = content.map((c) => (c.type === 'content' ? (c.content && c.content.text) || '' : c.type === 'diff' ? c.path || '' : '')).filter(Boolean).join('\n');
  // A call that had to ask permission shows itself first in its result: the tool part comes with every update.
  const parts = [{ kind: 'tool', id, name, input: { title: update.title, kind: update.kind } }];
  if (eventType === 'tool_result') { parts.push({ kind: 'result', id, text, isError: update.status === 'failed' }); }
  return parts;
}

function claudeParts(data) {
  const content = data && data.message && data.message.content;
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content : [];
  return blocks.flatMap((block) => {
    if (block.type === 'text' && block.text) { return [{ kind: 'text', text: block.text }]; }
    if (block.type === 'tool_use') { return [{ kind: 'tool', id: block.id, name: block.name, input: block.input }]; }
    if (block.type === 'tool_result') {
      const text = Array.isArray(block.content) ? block.content.map((c) => c.text ?? pretty(c)).join('\n') : pretty(block.content ?? '');
      return [{ kind: 'result', id: block.tool_use_id, text, isError: !!block.is_error }];
    }
    return [];
  });
}

function agentFrames(eventType, data) {
  if (data.method === 'session/update') { return geminiParts(eventType, data); }
  if (typeof data.method === 'string') { return codexParts(eventType, data); }
  if (data.type === 'assistant_message' && data.content && typeof data.content === 'object' && !Array.isArray(data.content)) {
    return data.content.text ? [{ kind: 'text', text: data.content.text }] : [];
  }
  return claudeParts(data);
}

function deltaText(eventType, data) {
  if (eventType !== 'content_block_delta' || !data) { return null; }
  if (data.method === 'item/agentMessage/delta') { return (data.params && data.params.delta) || null; }
  if (data.method === 'session/update') {
    const update = (data.params && data.params.update) || {};
    const text = update.sessionUpdate === 'agent_message_chunk' && update.content ? update.content.text : null;
    return text && !text.startsWith('[MODE_UPDATE]') ? text : null;
  }
  const event = data.event;
  return event && event.type === 'content_block_delta' && event.delta && event.delta.type === 'text_delta' ? event.delta.text : null;
}

function errorText(data) {
  const codex = data.method === 'error' && data.params ? (data.params.error && data.params.error.message) || data.params.message : null;
  return codex || data.message || pretty(data);
}

function onMessage(message) {
  const view = state.view;
  if (!view || message.session_id !== view.id) { return; }
  if (message.sequence <= view.lastSequence) { return; }
  view.lastSequence = message.sequence;
  const group = taskGroup(message.task_id);
  const data = message.event_data || {};
  switch (message.event_type) {
    case 'assistant_message':
    case 'tool_call':
    case 'tool_result':
    case 'user_message':
      for (const part of agentFrames(message.event_type, data)) {
        if (part.kind === 'text' && (message.event_type === 'assistant_message' || message.event_type === 'tool_call')) {
          const streaming = view.streaming.get(message.task_id);
          if (streaming) { streaming.textContent = part.text; streaming.removeAttribute('data-streaming'); view.streaming.delete(message.task_id); } else { group.body.append(el('div', { class: 'msg assistant' }, part.text)); }
        } else if (part.kind === 'tool' && !(part.id && view.tools.has(part.id))) {
          endStreaming(message.task_id);
          group.body.append(toolNode(part));
        } else if (part.kind === 'result') {
          attachResult(group, part);
        }
      }
      break;
    case 'usage':
      endStreaming(message.task_id);
      if (data.is_error && (data.result || data.subtype) && !(group.task && group.task.status === 'cancelled')) { group.body.append(el('div', { class: 'msg error run-error' }, `Error: ${data.result || data.subtype}`)); }
      break;
    case 'error':
      group.body.append(el('div', { class: 'msg error' }, `Error: ${errorText(data)}`));
      break;
    case 'system':
      if (data.subtype === 'resource_limit') {
        group.body.append(el('div', { class: 'msg warning', role: 'status' }, `Resource limit: ${data.message || `${data.limit} (${data.max}) reached`}`));
      } else if (data.subtype === 'sandbox_unconfined') {
        group.body.append(el('div', { class: 'msg warning', role: 'status' }, `Unconfined: ${data.message || 'the agent ran outside the sandbox'}`));
      }
      break;
    default:
      break;
  }
  scrollDown();
}

function toolNode(block) {
  const summary = el('summary', {}, `Tool: ${block.name}`);
  const details = el('details', { class: 'tool' },
    summary,
    el('pre', { 'aria-label': `${block.name} input` }, pretty(block.input)));
  const result = el('div', { class: 'result' });
  details.append(result);
  state.view.tools.set(block.id, { details, summary, result });
  return details;
}

function attachResult(group, part) {
  const tool = state.view.tools.get(part.id);
  const node = el('div', { class: `result${part.isError ? ' error' : ''}` }, el('strong', {}, part.isError ? 'Error' : 'Result'), el('pre', {}, part.text));
  if (tool) {
    tool.result.replaceWith(node);
    tool.result = node;
    // A failed tool is shown open, its error in sight without a click.
    if (part.isError) { tool.details.open = true; tool.details.classList.add('failed'); tool.summary.append(el('span', { class: 'tool-failed' }, ' — failed')); }
  } else {
    group.body.append(el('details', { class: `tool${part.isError ? ' failed' : ''}`, open: part.isError }, el('summary', {}, part.isError ? 'Tool result — failed' : 'Tool result'), node));
  }
}

function onDelta(delta) {
  const view = state.view;
  if (!view || delta.session_id !== view.id) { return; }
  const text = deltaText(delta.event_type, delta.event_data);
  if (!text) { return; }
  let node = view.streaming.get(delta.task_id);
  if (!node) {
    node = el('div', { class: 'msg assistant', 'data-streaming': 'true' });
    taskGroup(delta.task_id).body.append(node);
    view.streaming.set(delta.task_id, node);
  }
  node.textContent += text;
  scrollDown();
}

function endStreaming(taskId) {
  const node = state.view && state.view.streaming.get(taskId);
  if (node) { node.removeAttribute('data-streaming'); state.view.streaming.delete(taskId); }
}

function onPermission(permission) {
  const view = state.view;
  if (!view || permission.session_id !== view.id) { return; }
  let box = view.permissions.get(permission.id);
  if (!box) {
    box = el('div', { class: 'permission', role: 'group', 'aria-label': `Permission request: ${permission.tool_name}` });
    view.permissions.set(permission.id, box);
    taskGroup(permission.task_id).body.append(box);
  }
  const pending = permission.status === 'pending';
  box.classList.toggle('resolved', !pending);
  box.replaceChildren(
    el('div', {}, el('strong', {}, permission.tool_name), pending ? ' wants to run' : ` — ${statusText(permission.status)}${permission.reason ? ': ' + permission.reason : ''}`),
    el('pre', {}, pretty(permission.tool_input)));
  if (pending) {
    const decide = (decision) => async (event) => {
      for (const b of box.querySelectorAll('button')) { b.disabled = true; }
      try {
        const reason = decision === 'allow' ? 'Allowed on the web page.' : 'Denied on the web page.';
        onPermission(await api('POST', `/permissions/${permission.id}`, { decision, reason }));
      } catch (error) {
        report(error);
        for (const b of box.querySelectorAll('button')) { b.disabled = false; }
        event.target.focus();
      }
    };
    const allow = el('button', { type: 'button', onclick: decide('allow') }, 'Allow');
    box.append(el('div', { class: 'buttons' }, allow, el('button', { type: 'button', class: 'secondary', onclick: decide('deny') }, 'Deny')));
  }
  scrollDown();
}

function scrollDown(force) {
  const log = $('conversation');
  const near = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  if (force || near) { log.scrollTop = log.scrollHeight; }
}

// ---------------------------------------------------------------- the event stream

function applyEvent(type, data) {
  const view = state.view;
  if (view && view.loading && data.session_id === view.id && type !== 'executor.updated') {
    view.buffered.push([type, data]);
    return;
  }
  switch (type) {
    case 'task.updated':
      onTask(data);
      refreshSessions();
      break;
    case 'message.created':
      onMessage(data);
      break;
    case 'message.delta':
      onDelta(data);
      break;
    case 'permission.requested':
    case 'permission.resolved':
      onPermission(data);
      break;
    case 'executor.updated':
      refreshExecutors();
      break;
    default:
      break;
  }
}

function connect() {
  clearTimeout(state.retryTimer);
  if (state.source) { state.source.close(); }
  // A new EventSource sends no Last-Event-ID of its own: the query carries it.
  const url = state.lastEventId ? `/events?last_event_id=${encodeURIComponent(state.lastEventId)}` : '/events';
  const source = new EventSource(url);
  state.source = source;
  const handle = (type) => (event) => {
    if (event.lastEventId) { state.lastEventId = event.lastEventId; }
    try { applyEvent(type, JSON.parse(event.data)); } catch (error) { report(error); }
  };
  for (const type of ['task.updated', 'message.created', 'message.delta', 'permission.requested', 'permission.resolved', 'executor.updated']) {
    source.addEventListener(type, handle(type));
  }
  source.onopen = () => {
    setConnection(true);
    // After a gap, what the lists show may have changed.
    refreshSessions();
    refreshExecutors();
  };
  source.onerror = () => {
    setConnection(false);
    // The browser retries by itself (with Last-Event-ID) unless it gave up; then we start over.
    if (source.readyState === EventSource.CLOSED) {
      state.retryTimer = setTimeout(async () => {
        try { await loadSessions(); } catch { /* still down or signed out */ }
        if (state.signedIn) { connect(); } else { state.retryTimer = setTimeout(connect, 5000); }
      }, 1000);
    }
  };
}

function setConnection(live) {
  const node = $('connection');
  node.textContent = live ? 'live' : 'reconnecting…';
  node.classList.toggle('live', live);
}

// ---------------------------------------------------------------- actions

async function createSession(event) {
  event.preventDefault();
  clearAlert();
  const form = new FormData($('new-form'));
  const body = { cwd: form.get('cwd').trim(), agent: form.get('agent'), permission_mode: form.get('permission_mode') };
  if (form.get('title').trim()) { body.title = form.get('title').trim(); }
  try {
    const session = await api('POST', '/sessions', body);
    state.sessions.set(session.id, session);
    $('new-form').reset();
    location.hash = `#/sessions/${session.id}`;
    $('prompt').focus();
  } catch (error) {
    report(error);
  }
}

async function sendPrompt(event) {
  event.preventDefault();
  const text = $('prompt').value;
  if (!text.trim() || !state.current) { return; }
  clearAlert();
  $('send').disabled = true;
  try {
    const body = { prompt: text };
    if ($('prompt-mode').value) { body.permission_mode = $('prompt-mode').value; }
    if ($('prompt-model').value.trim()) { body.model = $('prompt-model').value.trim(); }
    const task = await api('POST', `/sessions/${state.current}/prompt`, body);
    $('prompt').value = '';
    onTask(task);
    scrollDown(true);
  } catch (error) {
    report(error);
  } finally {
    $('send').disabled = false;
    $('prompt').focus();
  }
}

async function stopTask() {
  const taskId = $('stop').dataset.task;
  if (!taskId) { return; }
  try {
    await api('POST', `/tasks/${taskId}/stop`);
  } catch (error) {
    report(error);
  }
}

async function signOut() {
  try { await api('POST', '/auth/logout'); } catch (error) { report(error); }
  if (state.source) { state.source.close(); }
  showSignedOut();
}

// ---------------------------------------------------------------- start

$('new-session').addEventListener('click', () => { location.hash = '#/new'; });
$('new-form').addEventListener('submit', createSession);
$('prompt-form').addEventListener('submit', sendPrompt);
$('prompt').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('prompt-form').requestSubmit();
  }
});
$('stop').addEventListener('click', stopTask);
$('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', () => route().catch(report));

(async () => {
  try {
    await loadSessions();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) { report(error); }
    if (!state.signedIn) { setConnection(false); $('connection').textContent = 'signed out'; return; }
  }
  connect();
  await Promise.all([route(), loadExecutors().catch(report), loadSandboxBanner().catch(report)]);
})();
