// The console's pages. Views are built with DOM calls (never innerHTML with data), so API text cannot inject markup.
import { completeLogin, login, loginAvailable, logout, returnedFromLogout, signedIn } from './auth.js';
import { ApiFailure, SessionEnded, api } from './api.js';
import { follow, liveNote, refreshOnNotice, whenChanged } from './live.js';
import { dropDrafts, restoreDrafts } from './drafts.js';
import { PATH_TEXT, connectivityGraph } from './graph.js';
import { clearErrors, field, h, sessionEnded, show, showError, when } from './ui.js';
import { invitationsPage, organizationsPage, usersPage } from './people.js';
import { flagsPage, relaysPage } from './service.js';

const REFRESH_MS = 10000; // what the watch stream does not carry (online status, connectivity) is re-read this often
let refreshTimer = null;
let pageAbort = new AbortController(); // aborts the shown page's streams when another page is shown
let pageSignal = pageAbort.signal;

async function orgs() {
  return api('GET', '/api/organizations');
}

async function vpcs() {
  return api('GET', '/api/vpcs');
}

function vpcLabel(v) {
  return (v.description || '(no description)') + ' — ' + v.id.slice(0, 8);
}

function vpcSelect(list, name) {
  return h('select', { name }, list.map((v) => h('option', { value: v.id }, vpcLabel(v))));
}

// ---- VPCs ----

function vpcRows(list) {
  return list.map((v) => h('tr', {},
    h('td', {}, v.description), h('td', {}, v.ipv4_cidr), h('td', {}, v.ipv6_cidr), h('td', { class: 'muted' }, v.id)));
}

/** Puts the organizations into a select, keeping the chosen one if it is still there. */
function organizationOptions(select, organizations) {
  const chosen = select.value;
  select.replaceChildren(...organizations.map((o) => h('option', { value: o.id }, o.name)));
  if (organizations.some((o) => o.id === chosen)) select.value = chosen;
}

async function vpcsPage() {
  const signal = pageSignal;
  const [list, organizations] = await Promise.all([vpcs(), orgs()]);
  const form = h('form', { id: 'vpc-form', novalidate: true });
  const orgSelect = h('select', {});
  form.append(
    field('Organization', 'organization_id', orgSelect),
    field('Description', 'description', h('input', { required: true })),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'private_cidr', id: 'f-private_cidr' }), 'Private CIDRs (own address pools)'),
    field('IPv4 CIDR (private only)', 'ipv4_cidr', h('input', { placeholder: '10.20.0.0/16' })),
    field('IPv6 CIDR (private only, optional)', 'ipv6_cidr', h('input', { placeholder: 'fd00:1::/64' })),
    h('p', { class: 'error form-error', role: 'alert' }),
    h('button', { type: 'submit', id: 'create-vpc' }, 'Create VPC'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const d = new FormData(form);
    const priv = d.get('private_cidr') === 'on';
    try {
      await api('POST', '/api/vpcs', {
        organization_id: d.get('organization_id'), description: d.get('description'), private_cidr: priv,
        ipv4_cidr: priv ? d.get('ipv4_cidr') : undefined, ipv6_cidr: priv && d.get('ipv6_cidr') ? d.get('ipv6_cidr') : undefined,
      });
      route();
    } catch (err) {
      showError(form, err);
    }
  });
  const tbody = h('tbody', {});
  const showVpcs = whenChanged((fresh) => tbody.replaceChildren(...vpcRows(fresh)));
  const showOrganizations = whenChanged((fresh) => organizationOptions(orgSelect, fresh));
  showVpcs(list);
  showOrganizations(organizations);
  const { live, note } = liveNote('The list and the organizations to choose from');
  show(
    h('h1', {}, 'VPCs'), note,
    h('div', { class: 'table-wrap' }, h('table', { id: 'vpcs' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Description'), h('th', {}, 'IPv4'), h('th', {}, 'IPv6'), h('th', {}, 'ID'))),
      tbody)),
    h('h2', {}, 'Create a VPC'), form);
  refreshOnNotice(['vpcs', 'organizations'], async () => {
    const [fresh, freshOrgs] = await Promise.all([vpcs(), orgs()]);
    showVpcs(fresh);
    showOrganizations(freshOrgs);
  }, (text) => { live.textContent = text; }, signal);
}

// ---- devices ----

function deviceRow(d) {
  const ips = [...(d.ipv4_tunnel_ips || []), ...(d.ipv6_tunnel_ips || [])].map((t) => t.address);
  const eps = (d.endpoints || []).map((e) => e.address + ' (' + e.source + ')');
  return h('tr', { 'data-device': d.id },
    h('td', {}, d.hostname),
    h('td', {}, ips.join(', ')),
    h('td', {}, eps.join(', ') || '—'),
    h('td', {}, d.online ? h('span', { class: 'online' }, 'online') : 'offline, seen ' + when(d.online_at)),
    h('td', {}, [d.os, d.relay ? 'relay' : null, d.symmetric_nat ? 'symmetric NAT' : null].filter(Boolean).join(', ')),
    h('td', {}, h('button', {
      type: 'button', class: 'danger', 'aria-label': 'Delete device ' + d.hostname,
      onclick: async () => {
        if (!confirm('Delete device ' + d.hostname + '? It loses access to the VPC until it registers again.')) {
          return;
        }
        try {
          await api('DELETE', '/api/devices/' + d.id);
          route();
        } catch (err) {
          if (err instanceof SessionEnded) sessionEnded(); else alert(err.message);
        }
      },
    }, 'Delete')));
}

async function devicesPage() {
  const signal = pageSignal;
  const vpcList = await vpcs();
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const vpcId = params.get('vpc') || (vpcList[0] && vpcList[0].id);
  if (!vpcId) {
    show(h('h1', {}, 'Devices'), h('p', {}, 'No VPC yet: create one first.'));
    return;
  }
  const picker = vpcSelect(vpcList, 'vpc');
  picker.id = 'devices-vpc';
  picker.value = vpcId;
  picker.addEventListener('change', () => { location.hash = '#devices?vpc=' + picker.value; });
  const rows = new Map(); // device id -> { row, revision }
  const tbody = h('tbody', {});
  const table = h('div', { class: 'table-wrap' }, h('table', { id: 'devices' },
    h('thead', {}, h('tr', {}, ['Hostname', 'Tunnel IPs', 'Endpoints', 'Status', 'Details', ''].map((t) => h('th', {}, t)))),
    tbody));
  const empty = h('p', { id: 'no-devices' }, 'No devices yet: create a registration key and run the nexd command it shows.');
  const live = h('span', { id: 'live', 'aria-live': 'polite' }, 'connecting…');
  const render = () => { empty.hidden = rows.size > 0; table.hidden = rows.size === 0; };
  const put = (d) => {
    const old = rows.get(d.id);
    if (old && d.revision < old.revision) return; // a re-read list older than what the stream already said
    const row = deviceRow(d);
    if (old) old.row.replaceWith(row); else tbody.append(row);
    rows.set(d.id, { row, revision: d.revision });
    render();
  };
  const remove = (id) => {
    const old = rows.get(id);
    if (old) {
      old.row.remove();
      rows.delete(id);
      render();
    }
  };
  show(
    h('h1', {}, 'Devices'),
    h('label', { for: 'devices-vpc' }, 'VPC', picker),
    h('p', { class: 'muted' }, 'Devices appear, change and go as the service\'s watch stream reports them (',
      live, '); online status is not streamed and is re-read every ' + REFRESH_MS / 1000 + ' s.'),
    empty, table);
  render();
  const clear = () => {
    rows.forEach((r) => r.row.remove());
    rows.clear();
    render();
  };
  follow(vpcId, 'device', {
    reset: clear, change: put, remove: (d) => remove(d.id), status: (text) => { live.textContent = text; },
  }, signal);
  const poll = async () => {
    if (signal.aborted) return;
    try {
      for (const d of await api('GET', '/api/vpcs/' + vpcId + '/devices')) {
        if (rows.has(d.id)) put(d);
      }
    } catch (err) {
      if (err instanceof SessionEnded) sessionEnded();
    }
    refreshTimer = setTimeout(poll, REFRESH_MS);
  };
  refreshTimer = setTimeout(poll, REFRESH_MS);
}

// ---- registration keys ----

function regKeyRows(list) {
  return list.map((k) => h('tr', {},
    h('td', {}, k.description), h('td', {}, k.vpc_id.slice(0, 8)), h('td', {}, k.device_id ? 'yes' : 'no'),
    h('td', {}, k.expires_at ? new Date(k.expires_at).toLocaleString() : 'never')));
}

async function regKeysPage() {
  const signal = pageSignal;
  const [list, vpcList] = await Promise.all([api('GET', '/api/reg-keys'), vpcs()]);
  const picker = h('select', {});
  const result = h('div', { id: 'reg-key-result' });
  const form = h('form', { id: 'reg-key-form', novalidate: true });
  form.append(
    field('VPC', 'vpc_id', picker),
    field('Description', 'description', h('input', {})),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'single_use', id: 'f-single_use', checked: true }), 'Single use (one device)'),
    field('Expires in hours (empty: never)', 'expires_at', h('input', { type: 'number', min: '1', value: '24' })),
    h('p', { class: 'error form-error', role: 'alert' }),
    h('button', { type: 'submit', id: 'create-reg-key' }, 'Create registration key'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const d = new FormData(form);
    const hours = Number(d.get('expires_at'));
    try {
      const k = await api('POST', '/api/reg-keys', {
        vpc_id: d.get('vpc_id'), description: d.get('description'), single_use: d.get('single_use') === 'on',
        expires_at: hours > 0 ? new Date(Date.now() + hours * 3600e3).toISOString() : undefined,
      });
      const command = 'nexd --reg-key ' + location.origin + '#' + k.bearer_token;
      const copied = h('span', { class: 'ok', 'aria-live': 'polite' });
      result.replaceChildren(
        h('h2', {}, 'Run this on the device'),
        h('p', {}, 'The key is shown only now; the service keeps only its hash.'),
        h('pre', { class: 'command', id: 'nexd-command' }, command),
        h('button', {
          type: 'button', id: 'copy-command',
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(command);
              copied.textContent = ' Copied.';
            } catch (err) {
              copied.textContent = ' Select the command and copy it (the browser refused: ' + err.message + ').';
            }
          },
        }, 'Copy command'), copied);
      form.reset();
    } catch (err) {
      showError(form, err);
    }
  });
  const tbody = h('tbody', {});
  const showKeys = whenChanged((fresh) => tbody.replaceChildren(...regKeyRows(fresh)));
  const showVpcs = whenChanged((fresh) => {
    const chosen = picker.value;
    picker.replaceChildren(...fresh.map((v) => h('option', { value: v.id }, vpcLabel(v))));
    if (fresh.some((v) => v.id === chosen)) picker.value = chosen;
  });
  showKeys(list);
  showVpcs(vpcList);
  const { live, note } = liveNote('The keys and the VPCs to choose from');
  show(
    h('h1', {}, 'Registration keys'),
    h('h2', {}, 'Create a key'), form, result,
    h('h2', {}, 'Keys'), note,
    h('div', { class: 'table-wrap' }, h('table', { id: 'reg-keys' },
      h('thead', {}, h('tr', {}, ['Description', 'VPC', 'Single use', 'Expires'].map((t) => h('th', {}, t)))),
      tbody)));
  refreshOnNotice(['reg-keys', 'vpcs'], async () => {
    const [fresh, freshVpcs] = await Promise.all([api('GET', '/api/reg-keys'), vpcs()]);
    showKeys(fresh);
    showVpcs(freshVpcs);
  }, (text) => { live.textContent = text; }, signal);
}

// ---- security groups ----

const PROTOCOLS = ['', 'ipv4', 'ipv6', 'icmp', 'icmpv4', 'icmpv6', 'tcp', 'udp'];

function ruleEditor(dir, i, rule, onRemove) {
  const base = dir + '[' + i + ']';
  const proto = h('select', {}, PROTOCOLS.map((p) => h('option', { value: p, selected: p === rule.ip_protocol }, p || 'any')));
  return h('div', { class: 'rule', 'data-rule': base },
    field('Protocol', base + '.ip_protocol', proto),
    field('From port', base + '.from_port', h('input', { type: 'number', min: '0', max: '65535', value: rule.from_port })),
    field('To port', base + '.to_port', h('input', { type: 'number', min: '0', max: '65535', value: rule.to_port })),
    field('IP ranges (comma separated; empty: any)', base + '.ip_ranges', h('input', { value: (rule.ip_ranges || []).join(', ') })),
    h('button', { type: 'button', class: 'secondary', 'aria-label': 'Remove rule ' + base, onclick: onRemove }, 'Remove'));
}

function readRules(form, dir) {
  return [...form.querySelectorAll('[data-rule^="' + dir + '["]')].map((el) => {
    const base = el.getAttribute('data-rule');
    const v = (n) => form.elements.namedItem(base + '.' + n).value;
    return {
      ip_protocol: v('ip_protocol'), from_port: Number(v('from_port') || 0), to_port: Number(v('to_port') || 0),
      ip_ranges: v('ip_ranges').split(',').map((s) => s.trim()).filter(Boolean),
    };
  });
}

async function securityGroupsPage() {
  const signal = pageSignal;
  const vpcList = await vpcs();
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const vpcId = params.get('vpc') || (vpcList[0] && vpcList[0].id);
  const picker = vpcSelect(vpcList, 'vpc');
  picker.id = 'sg-vpc';
  if (vpcId) picker.value = vpcId;
  picker.addEventListener('change', () => { location.hash = '#security-groups?vpc=' + picker.value; });
  const groups = vpcId ? await api('GET', '/api/vpcs/' + vpcId + '/security-groups') : [];
  const editors = new Map(groups.map((g) => [g.id, groupEditor(g)])); // group id -> editor
  const list = h('div', { id: 'groups' }, [...editors.values()].map((e) => e.form));
  const live = h('span', { id: 'sg-live', 'aria-live': 'polite' }, vpcId ? 'connecting…' : 'no VPC');
  show(h('h1', {}, 'Security groups'), h('label', { for: 'sg-vpc' }, 'VPC', picker),
    h('p', { class: 'muted' }, 'A group without rules allows everything in that direction. Changes made elsewhere arrive from the '
      + 'service\'s watch stream (', live, '): an editor you have not typed in shows them at once, one you have typed in says so '
      + 'and keeps your text.'), list);
  if (!vpcId) return;
  let seen = new Set(); // groups in the list the stream is (re)sending; the others are gone when it ends
  follow(vpcId, 'security-group', {
    reset: () => { seen = new Set(); },
    change: (g) => {
      seen.add(g.id);
      const old = editors.get(g.id);
      if (!old) {
        const e = groupEditor(g);
        editors.set(g.id, e);
        list.append(e.form);
      } else {
        old.changedElsewhere(g);
      }
    },
    remove: (g) => {
      const old = editors.get(g.id);
      if (old) {
        old.form.remove();
        editors.delete(g.id);
      }
    },
    tail: () => {
      for (const [id, e] of editors) {
        if (!seen.has(id)) {
          e.form.remove();
          editors.delete(id);
        }
      }
    },
    status: (text) => { live.textContent = text; },
  }, signal);
}

/** Rules of one direction from a form draft (name -> value) as the editor names them: inbound_rules[0].from_port. */
function rulesFromDraft(values, dir) {
  const rules = [];
  for (const [name, value] of Object.entries(values)) {
    const m = name.match(/^(\w+)\[(\d+)\]\.(\w+)$/);
    if (m && m[1] === dir) {
      const r = rules[Number(m[2])] || (rules[Number(m[2])] = { ip_protocol: '', from_port: 0, to_port: 0, ip_ranges: [] });
      r[m[3]] = m[3] === 'ip_ranges' ? String(value).split(',').map((x) => x.trim()).filter(Boolean) : value;
    }
  }
  return rules.filter(Boolean);
}

/**
 * The rule editor of one group: { form, changedElsewhere(group) }. A change that arrives from the stream replaces the
 * rules unless the user typed in the form since it was loaded or saved; then the form keeps the text and offers the
 * new version.
 */
function groupEditor(group) {
  const form = h('form', { class: 'group', id: 'sg-' + group.id, 'data-group': group.id, novalidate: true });
  const rules = { inbound_rules: [...(group.inbound_rules || [])], outbound_rules: [...(group.outbound_rules || [])] };
  const status = h('span', { class: 'ok', 'aria-live': 'polite' });
  const notice = h('p', { class: 'notice', role: 'status', hidden: true });
  let dirty = false;
  let newer = null; // a version from the stream not shown because the user is typing
  form.addEventListener('input', () => { dirty = true; });
  // typed values are captured into the model before a rule is added or removed, then the form is rebuilt from it
  function capture() {
    rules.inbound_rules = readRules(form, 'inbound_rules');
    rules.outbound_rules = readRules(form, 'outbound_rules');
  }
  function load(g) {
    Object.assign(group, g);
    rules.inbound_rules = [...(g.inbound_rules || [])];
    rules.outbound_rules = [...(g.outbound_rules || [])];
    dirty = false;
    newer = null;
    status.textContent = '';
    render();
  }
  function showNotice() {
    notice.hidden = newer === null;
    notice.replaceChildren(...(newer === null ? [] : [
      'These rules were changed elsewhere. Saving overwrites that change. ',
      h('button', { type: 'button', class: 'secondary', onclick: () => load(newer) }, 'Show the new rules (drops your edits)')]));
  }
  function render() {
    const section = (dir, title) => h('section', { 'aria-label': title },
      h('h3', {}, title),
      h('div', { class: 'rules' }, rules[dir].map((r, i) => ruleEditor(dir, i, r, () => {
        capture();
        rules[dir].splice(i, 1);
        dirty = true;
        render();
      }))),
      h('button', {
        type: 'button', class: 'secondary', id: 'add-' + dir + '-' + group.id,
        onclick: () => {
          capture();
          rules[dir].push({ ip_protocol: 'tcp', from_port: 0, to_port: 0, ip_ranges: [] });
          dirty = true;
          render();
        },
      }, 'Add ' + title.toLowerCase().replace(' rules', ' rule')));
    showNotice();
    form.replaceChildren(
      h('h2', {}, group.description || group.id),
      notice,
      section('inbound_rules', 'Inbound rules'), section('outbound_rules', 'Outbound rules'),
      h('p', { class: 'error form-error', role: 'alert' }),
      h('div', {}, h('button', { type: 'submit', id: 'save-' + group.id }, 'Save rules'), status));
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    status.textContent = '';
    try {
      const g = await api('PATCH', '/api/security-groups/' + group.id,
        { inbound_rules: readRules(form, 'inbound_rules'), outbound_rules: readRules(form, 'outbound_rules') });
      Object.assign(group, g);
      dirty = false;
      newer = null;
      showNotice();
      status.textContent = ' Saved.';
    } catch (err) {
      showError(form, err);
    }
  });
  // a draft kept across a new sign-in may have more or fewer rules than the group has now
  form.prepareDraft = (values) => {
    rules.inbound_rules = rulesFromDraft(values, 'inbound_rules');
    rules.outbound_rules = rulesFromDraft(values, 'outbound_rules');
    dirty = true;
    render();
  };
  render();
  return {
    form,
    changedElsewhere(g) {
      if (g.revision <= group.revision) return; // what is shown already, e.g. this editor's own save
      if (dirty) {
        newer = g; // only the notice changes: the inputs (and the focus) stay as they are
        showNotice();
      } else {
        load(g);
      }
    },
  };
}

// ---- connectivity ----


function connectivityCell(pair) {
  if (!pair) {
    return h('td', { class: 'cell unreported' }, 'not reported');
  }
  const age = pair.handshake_age_seconds === null ? 'no handshake' : 'handshake ' + pair.handshake_age_seconds + ' s ago';
  return h('td', {
    class: 'cell path-' + pair.path + (pair.stale ? ' stale' : ''),
    'data-from': pair.from_device_id, 'data-to': pair.to_device_id, 'data-path': pair.path,
    title: [pair.method || 'no method', pair.relay, age, 'rx ' + pair.rx_bytes + ' B, tx ' + pair.tx_bytes + ' B'].filter(Boolean).join(' · '),
  },
  h('strong', {}, PATH_TEXT[pair.path] || pair.path),
  h('br', {}), h('span', { class: 'method' }, pair.method || '—'),
  pair.stale ? h('span', { class: 'stale-flag' }, ' stale') : null,
  pair.healthy || pair.stale ? null : h('span', { class: 'unhealthy' }, ' unhealthy'));
}

let connectivityView = 'matrix'; // the view last chosen (matrix or graph), kept across re-reads and VPCs

async function connectivityPage() {
  const signal = pageSignal;
  const vpcList = await vpcs();
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const vpcId = params.get('vpc') || (vpcList[0] && vpcList[0].id);
  const picker = vpcSelect(vpcList, 'vpc');
  picker.id = 'conn-vpc';
  if (vpcId) picker.value = vpcId;
  picker.addEventListener('change', () => { location.hash = '#connectivity?vpc=' + picker.value; });
  if (!vpcId) {
    show(h('h1', {}, 'Connectivity'), h('p', {}, 'No VPCs yet.'));
    return;
  }
  const census = h('div', {});
  const views = h('div', {});
  const draw = (c) => {
    const parts = connectivitySections(c);
    census.replaceChildren(...parts.census);
    views.replaceChildren(...parts.views);
    toggle.hidden = parts.views.length < 2;
    showView(document.getElementById('matrix-view'), document.getElementById('graph-view'));
  };
  const first = await api('GET', '/api/vpcs/' + vpcId + '/connectivity');
  const intro = h('p', { class: 'muted' });
  const live = h('span', { id: 'conn-live', 'aria-live': 'polite' }, 'connecting…');
  show(
    h('h1', {}, 'Connectivity'),
    h('label', { for: 'conn-vpc' }, 'VPC', picker),
    intro, census, toggle, views);
  draw(first);
  let reading = 0; // the latest re-read wins
  const reread = async () => {
    const mine = ++reading;
    try {
      const c = await api('GET', '/api/vpcs/' + vpcId + '/connectivity');
      if (mine === reading && !signal.aborted) draw(c);
    } catch (err) {
      if (err instanceof SessionEnded) sessionEnded();
    }
  };
  // devices joining or leaving redraw at once (the device stream); the reports themselves are not streamed
  let listed = false;
  let tails = 0;
  let pending = null;
  const soon = () => { clearTimeout(pending); pending = setTimeout(reread, 300); };
  follow(vpcId, 'device', {
    reset: () => { listed = false; },
    tail: () => {
      listed = true;
      if (tails++ > 0) soon(); // the stream started over: devices may have come or gone meanwhile
    },
    change: () => { if (listed) soon(); },
    remove: () => { if (listed) soon(); },
    status: (text) => { live.textContent = text; },
  }, signal);
  intro.append('As the agents report it (every 30 s and on change). Devices that join or leave appear at once (device watch stream: ',
    live, '); the reports are not streamed by the service and are re-read every ' + REFRESH_MS / 1000 + ' s.');
  const tick = async () => {
    await reread();
    if (!signal.aborted) refreshTimer = setTimeout(tick, REFRESH_MS);
  };
  refreshTimer = setTimeout(tick, REFRESH_MS);
}

// The matrix/graph toggle stays while the views under it are re-read (a keyboard user keeps the focus on it).
const viewButtons = {};
const viewHeading = h('h2', {});
const toggle = h('div', {}, h('div', { class: 'view-toggle', role: 'group', 'aria-label': 'Show as' },
  [['matrix', 'Matrix'], ['graph', 'Graph']].map(([k, label]) => {
    viewButtons[k] = h('button', {
      type: 'button', class: 'secondary', id: 'view-' + k,
      onclick: () => {
        connectivityView = k;
        showView(document.getElementById('matrix-view'), document.getElementById('graph-view'));
      },
    }, label);
    return viewButtons[k];
  })), viewHeading);

function showView(matrix, graph) {
  if (matrix) matrix.hidden = connectivityView !== 'matrix';
  if (graph) graph.hidden = connectivityView !== 'graph';
  viewHeading.textContent = connectivityView === 'matrix' ? 'Matrix' : 'Graph';
  for (const [k, b] of Object.entries(viewButtons)) b.setAttribute('aria-pressed', String(k === connectivityView));
}

/** The census and both views (matrix, graph) of one connectivity report; the toggle shows one view at a time. */
function connectivitySections(c) {
  const pairs = new Map(c.pairs.map((p) => [p.from_device_id + '/' + p.to_device_id, p]));
  const name = (d) => d.hostname || d.device_id.slice(0, 8);
  const census = c.census;
  const nat = Object.entries(census.nat_types).map(([k, v]) => k + ' ' + v).join(', ') || 'none reported';
  const top = [
    h('p', { class: 'muted' }, 'Stale: the report is older than ' + c.stale_after_seconds + ' s or the device is offline.'),
    h('h2', {}, 'Census'),
    h('ul', { id: 'census' },
      h('li', {}, 'Pairs: ' + census.pairs),
      h('li', { 'data-census': 'direct' }, 'Direct: ' + census.direct),
      h('li', { 'data-census': 'relayed' }, 'Relayed (WireGuard relay): ' + census.relayed),
      h('li', { 'data-census': 'derp' }, 'DERP: ' + census.derp),
      census.no_path ? h('li', { 'data-census': 'no_path' }, 'No path: ' + census.no_path) : null,
      h('li', { 'data-census': 'stale' }, 'Stale: ' + census.stale),
      h('li', { 'data-census': 'unreported' }, 'Not reported: ' + census.unreported),
      h('li', { 'data-census': 'nat' }, 'NAT types: ' + nat))];
  if (c.devices.length < 2) {
    return { census: top, views: [h('p', {}, 'The matrix and the graph need two devices in the VPC.')] };
  }
  const matrix = h('div', { class: 'table-wrap', id: 'matrix-view' }, h('table', { id: 'connectivity', class: 'matrix' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'from ↓ / to →'), c.devices.map((d) => h('th', { scope: 'col' }, name(d))))),
    h('tbody', {}, c.devices.map((from) => h('tr', { 'data-device': from.device_id },
      h('th', { scope: 'row' }, name(from), h('br', {}),
        h('span', { class: 'muted' }, (from.nat_type ? 'NAT ' + from.nat_type : 'no report') + (from.stale && from.nat_type ? ', stale' : ''))),
      c.devices.map((to) => to.device_id === from.device_id ? h('td', { class: 'cell self' }, '—')
        : connectivityCell(pairs.get(from.device_id + '/' + to.device_id))))))));
  const graph = h('div', { id: 'graph-view' }, connectivityGraph(c));
  return { census: top, views: [matrix, graph] };
}

// ---- audit log (administrators) ----

async function auditPage() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const query = new URLSearchParams({ limit: '100' });
  for (const k of ['actor', 'action', 'before']) {
    if (params.get(k)) query.set(k, params.get(k));
  }
  let list;
  try {
    list = await api('GET', '/api/audit-events?' + query);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 403) {
      show(h('h1', {}, 'Audit log'), h('p', { role: 'status' }, 'The audit log is for administrators of the service.'));
      return;
    }
    throw err;
  }
  const form = h('form', { id: 'audit-filter' },
    field('Actor (username or id)', 'actor', h('input', { value: params.get('actor') || '' })),
    field('Action', 'action', h('input', { value: params.get('action') || '', placeholder: 'login, DELETE /api/devices/{id}' })),
    h('button', { type: 'submit', id: 'audit-apply' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const d = new FormData(form);
    const q = new URLSearchParams();
    for (const k of ['actor', 'action']) {
      if (d.get(k)) q.set(k, d.get(k));
    }
    location.hash = '#audit' + (q.toString() ? '?' + q : '');
  });
  const older = list.length === 100
    ? h('a', { id: 'audit-older', href: '#audit?' + new URLSearchParams({ ...Object.fromEntries(params), before: String(list[list.length - 1].id) }) }, 'Older entries')
    : null;
  show(
    h('h1', {}, 'Audit log'),
    h('p', { class: 'muted' }, 'Changes made through the API and logins, newest first; kept 90 days.'),
    form,
    h('div', { class: 'table-wrap' }, h('table', { id: 'audit' },
      h('thead', {}, h('tr', {}, ['Time', 'Actor', 'Source', 'Action', 'Target', 'Status'].map((t) => h('th', {}, t)))),
      h('tbody', {}, list.map((e) => h('tr', { 'data-audit': e.id, class: e.outcome === 'failure' ? 'failed' : null },
        h('td', { title: e.time }, when(e.time)),
        h('td', {}, e.actor_kind + ': ' + (e.actor_name || e.actor_id || '')),
        h('td', {}, e.source),
        h('td', {}, e.action),
        h('td', { class: 'muted' }, e.target),
        h('td', {}, String(e.status))))))),
    older);
}

// ---- shell ----

const PAGES = {
  vpcs: vpcsPage, devices: devicesPage, connectivity: connectivityPage, 'reg-keys': regKeysPage, 'security-groups': securityGroupsPage,
  audit: auditPage, organizations: organizationsPage, invitations: invitationsPage, users: usersPage, relays: relaysPage,
  flags: flagsPage,
};

async function route() {
  clearTimeout(refreshTimer);
  pageAbort.abort();
  pageAbort = new AbortController();
  pageSignal = pageAbort.signal;
  const name = (location.hash.slice(1).split('?')[0]) || 'vpcs';
  const page = PAGES[name] || vpcsPage;
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.getAttribute('href') === '#' + name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  try {
    await page(pageSignal);
    if (restoreDrafts(document.getElementById('main'))) {
      document.getElementById('main').prepend(h('p', { id: 'drafts-restored', role: 'status', class: 'notice' },
        'What you typed before signing in again is back in the form (passwords are never kept: type them again).'));
    }
  } catch (err) {
    if (err instanceof SessionEnded) {
      sessionEnded();
    } else {
      show(h('h1', {}, 'Something failed'), h('p', { class: 'error', role: 'alert' }, err.message));
    }
  }
}

function signedOut(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  show(h('h1', {}, 'Nexodus console'),
    message ? h('p', { role: 'status' }, message) : null,
    h('p', {}, 'Sign in with your Nexodus account (the same one nexctl uses).'),
    h('button', { type: 'button', id: 'login', onclick: () => login().catch((e) => alert(e.message)) }, 'Sign in'));
}

async function start() {
  document.getElementById('logout').addEventListener('click', () => {
    dropDrafts();
    if (!logout()) {
      signedOut('You are signed out.');
    }
  });
  if (!loginAvailable()) {
    show(h('h1', {}, 'Nexodus console'), h('p', {},
      'The OIDC issuer announces no authorization or token endpoint, so the console cannot sign in; use nexctl.'));
    return;
  }
  if (returnedFromLogout()) {
    signedOut('You are signed out.');
    return;
  }
  try {
    await completeLogin();
  } catch (err) {
    signedOut(err.message);
    return;
  }
  if (!signedIn()) {
    signedOut('');
    return;
  }
  const me = await api('GET', '/api/users/me').catch(() => null);
  document.getElementById('who').textContent = me ? 'Signed in as ' + me.username : '';
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  window.addEventListener('hashchange', route);
  route();
}

start();
