// What the service itself offers: its public DERP relays and its feature flags.
import { api } from './api.js';
import { liveNote, refreshOnNotice, whenChanged } from './live.js';
import { act, clearErrors, field, h, show, showError } from './ui.js';

// ---- public DERP relays ----

async function regions() {
  const map = await api('GET', '/api/relays');
  return Object.values(map.regions || {}).sort((a, b) => a.region_id - b.region_id);
}

function relayRows(list, onChange) {
  return list.map((r) => h('tr', { 'data-region': r.region_id },
    h('td', {}, String(r.region_id)), h('td', {}, r.region_code), h('td', {}, r.region_name + (r.built_in ? ' (built in)' : '')),
    h('td', {}, (r.nodes || []).map((n) => n.host_name + (n.ipv4 ? ' ' + n.ipv4 : '') + ':' + (n.derp_port || 443)).join(', ')),
    h('td', {}, r.built_in ? '' : h('button', {
      type: 'button', class: 'danger', 'aria-label': 'Remove relay region ' + r.region_id,
      onclick: async () => {
        if (!confirm('Remove relay region ' + r.region_id + '? Devices stop using it with their next map.')) return;
        if (await act(() => api('DELETE', '/api/relays/' + r.region_id))) await onChange();
      },
    }, 'Remove'))));
}

export async function relaysPage(signal) {
  const tbody = h('tbody', {});
  const render = whenChanged((list) => tbody.replaceChildren(...relayRows(list, load)));
  const load = async () => render(await regions());
  await load();
  const form = h('form', { id: 'relay-form', novalidate: true });
  form.append(
    field('Region ID (902-999)', 'region_id', h('input', { type: 'number', min: '902', max: '999' })),
    field('Region code', 'region_code', h('input', { placeholder: 'fra' })),
    field('Region name', 'region_name', h('input', { placeholder: 'Frankfurt' })),
    field('Host name (TLS name of the relay)', 'host_name', h('input', { placeholder: 'derp1.example.com' })),
    field('IPv4 address (optional)', 'ipv4', h('input', {})),
    field('DERP port (default 443)', 'derp_port', h('input', { type: 'number', min: '1', max: '65535' })),
    field('STUN port (default 3478, -1: none)', 'stun_port', h('input', { type: 'number', min: '-1', max: '65535' })),
    h('p', { class: 'error form-error', role: 'alert' }),
    h('button', { type: 'submit', id: 'add-relay' }, 'Add relay'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const d = new FormData(form);
    const num = (k) => (d.get(k) === '' ? undefined : Number(d.get(k)));
    const text = (k) => d.get(k) || undefined;
    try {
      await api('POST', '/api/relays', {
        region_id: num('region_id'), region_code: text('region_code'), region_name: text('region_name'),
        host_name: text('host_name'), ipv4: text('ipv4'), derp_port: num('derp_port'), stun_port: num('stun_port'),
      });
      form.reset();
      await load();
    } catch (err) {
      showError(form, err);
    }
  });
  const { live, note } = liveNote('Regions added or removed by administrators');
  show(
    h('h1', {}, 'Public DERP relays'),
    h('p', { class: 'muted' }, 'The DERP map every nexd receives: region 900 is this service\'s own relay; administrators add others. '
      + 'Devices that cannot reach each other directly or through a WireGuard relay meet on these.'),
    note,
    h('div', { class: 'table-wrap' }, h('table', { id: 'relays' },
      h('thead', {}, h('tr', {}, ['Region', 'Code', 'Name', 'Nodes', ''].map((t) => h('th', {}, t)))),
      tbody)),
    h('h2', {}, 'Add a relay (administrators)'), form);
  refreshOnNotice(['relays'], load, (text) => { live.textContent = text; }, signal);
}

// ---- feature flags ----

export async function flagsPage() {
  const flags = await api('GET', '/api/fflags');
  show(
    h('h1', {}, 'Feature flags'),
    h('p', { class: 'muted' }, 'Optional features of this service, set by its operator at start (environment variables NEXAPI_FFLAG_<NAME>, e.g. NEXAPI_FFLAG_MULTI_ORGANIZATION=false).'),
    h('div', { class: 'table-wrap' }, h('table', { id: 'flags' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Flag'), h('th', {}, 'State'))),
      h('tbody', {}, Object.keys(flags).sort().map((k) => h('tr', { 'data-flag': k },
        h('td', {}, k), h('td', {}, flags[k] ? 'on' : 'off')))))));
}
