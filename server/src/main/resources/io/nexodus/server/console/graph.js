// The connectivity as a graph: devices on a circle, one arrow per report (from the reporting device to its peer),
// coloured and labelled by how it reaches the peer, stale ones dashed. Inline SVG built with DOM calls (no library);
// the matrix stays the text alternative.
import { h } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_R = 14;
export const PATH_TEXT = { direct: 'direct', relayed: 'relayed', derp: 'DERP', none: 'no path' };

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** One line of text per pair for the tooltip (the SVG title). */
function describe(pair, name) {
  const age = pair.handshake_age_seconds === null ? 'no handshake' : 'handshake ' + pair.handshake_age_seconds + ' s ago';
  return name(pair.from_device_id) + ' → ' + name(pair.to_device_id) + ': '
    + [PATH_TEXT[pair.path] || pair.path, pair.method, pair.relay, age, pair.stale ? 'stale' : null,
      pair.healthy || pair.stale ? null : 'unhealthy'].filter(Boolean).join(', ');
}

/** The graph of one VPC's connectivity report ({devices, pairs} of GET /api/vpcs/{id}/connectivity). */
export function connectivityGraph(c) {
  const n = c.devices.length;
  const radius = Math.max(110, n * 20);
  const size = 2 * radius + 170;
  const mid = size / 2;
  const at = new Map(c.devices.map((d, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return [d.device_id, { x: mid + radius * Math.cos(a), y: mid + radius * Math.sin(a), d }];
  }));
  const names = new Map(c.devices.map((d) => [d.device_id, d.hostname || d.device_id.slice(0, 8)]));
  const name = (id) => names.get(id) || id.slice(0, 8);
  const pairs = c.pairs.filter((p) => p.from_device_id !== p.to_device_id && at.has(p.from_device_id) && at.has(p.to_device_id));
  const reported = new Set(pairs.map((p) => p.from_device_id + '/' + p.to_device_id));
  const markers = Object.keys(PATH_TEXT).concat('stale').map((k) => s('marker', {
    id: 'arrow-' + k, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow ' + (k === 'stale' ? 'stale' : 'path-' + k) })));
  const edges = pairs.map((p) => {
    const a = at.get(p.from_device_id);
    const b = at.get(p.to_device_id);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    // both directions reported: each arrow keeps to its own right so the two stay apart
    const both = reported.has(p.to_device_id + '/' + p.from_device_id);
    const off = both ? 6 : 0;
    const ox = -uy * off;
    const oy = ux * off;
    const gap = NODE_R + 3;
    const x1 = a.x + ux * gap + ox;
    const y1 = a.y + uy * gap + oy;
    const x2 = b.x - ux * gap + ox;
    const y2 = b.y - uy * gap + oy;
    const lx = (x1 + x2) / 2 - uy * (both ? 14 : 9);
    const ly = (y1 + y2) / 2 + ux * (both ? 14 : 9);
    const cls = 'edge path-' + p.path + (p.stale ? ' stale' : '');
    return s('g', { class: cls, 'data-from': p.from_device_id, 'data-to': p.to_device_id, 'data-path': p.path },
      s('title', {}, describe(p, name)),
      s('line', { x1, y1, x2, y2, 'marker-end': 'url(#arrow-' + (p.stale ? 'stale' : p.path) + ')' }),
      s('text', { x: lx, y: ly, 'text-anchor': 'middle', 'dominant-baseline': 'middle' },
        (PATH_TEXT[p.path] || p.path) + (p.stale ? ' (stale)' : '')));
  });
  const nodes = c.devices.map((d) => {
    const p = at.get(d.device_id);
    const below = p.y >= mid;
    return s('g', { class: 'node' + (d.stale ? ' stale' : ''), 'data-device': d.device_id },
      s('title', {}, name(d.device_id) + (d.nat_type ? ', NAT ' + d.nat_type : ', no report')),
      s('circle', { cx: p.x, cy: p.y, r: NODE_R }),
      s('text', { x: p.x, y: p.y + (below ? NODE_R + 16 : -NODE_R - 8), 'text-anchor': 'middle' }, name(d.device_id)));
  });
  const count = (k) => pairs.filter((p) => p.path === k && !p.stale).length;
  const summary = n + ' devices, ' + pairs.length + ' reported paths: ' + Object.keys(PATH_TEXT)
    .map((k) => count(k) + ' ' + PATH_TEXT[k]).join(', ') + ', ' + pairs.filter((p) => p.stale).length
    + ' stale. The matrix view lists the same as a table.';
  const svg = s('svg', {
    id: 'connectivity-graph', class: 'graph', viewBox: '0 0 ' + size + ' ' + size, width: size, height: size, role: 'img',
    'aria-labelledby': 'graph-title graph-desc',
  },
  s('title', { id: 'graph-title' }, 'Connectivity graph'),
  s('desc', { id: 'graph-desc' }, summary),
  s('defs', {}, markers), s('g', { class: 'edges' }, edges), s('g', { class: 'nodes' }, nodes));
  const swatch = (cls) => s('svg', { class: 'swatch', viewBox: '0 0 30 10', 'aria-hidden': 'true' },
    s('line', { x1: 1, y1: 5, x2: 29, y2: 5, class: cls }));
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' },
    Object.keys(PATH_TEXT).map((k) => h('li', {}, swatch('edge-line path-' + k), ' ' + PATH_TEXT[k])),
    h('li', {}, swatch('edge-line stale'), ' stale (old report or device offline)'));
  return h('figure', { class: 'graph-wrap' }, svg,
    h('figcaption', { class: 'muted' }, 'An arrow goes from the reporting device to the peer it reaches; hover for method, relay and handshake age. ',
      'Pairs no agent reported have no arrow.'), legend);
}
