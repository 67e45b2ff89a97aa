// Organizations with their members and invitations, and the users the caller can see.
import { ApiFailure, api } from './api.js';
import { liveNote, refreshOnNotice, whenChanged } from './live.js';
import { act, clearErrors, field, fieldId, h, show, showError } from './ui.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who is signed in (cached for the page's lifetime: the account does not change without a new sign-in). */
let me = null;
async function currentUser() {
  if (!me) me = await api('GET', '/api/users/me');
  return me;
}

// ---- organizations ----

export async function organizationsPage(signal) {
  const sections = h('div', { id: 'org-sections' });
  const inviteArea = h('div', {});
  let invite = null;
  const render = whenChanged(({ list, members }) => {
    sections.replaceChildren(...list.map((o, i) => organizationSection(o, members[i], load)));
    if (list.length === 0) {
      invite = null;
      inviteArea.replaceChildren(h('p', {}, 'Create an organization first.'));
    } else if (invite === null) {
      invite = inviteForm(list);
      inviteArea.replaceChildren(invite);
    } else {
      organizationOptions(invite.elements.namedItem('organization_id'), list);
    }
  });
  const load = async () => {
    const list = await api('GET', '/api/organizations');
    const members = await Promise.all(list.map((o) => api('GET', '/api/organizations/' + o.id + '/users').catch(() => null)));
    render({ list, members });
  };
  await load();
  const form = h('form', { id: 'org-form', novalidate: true });
  form.append(
    field('Name', 'name', h('input', { required: true })),
    field('Description', 'description', h('input', {})),
    h('p', { class: 'error form-error', role: 'alert' }),
    h('button', { type: 'submit', id: 'create-org' }, 'Create organization'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const d = new FormData(form);
    try {
      await api('POST', '/api/organizations', { name: d.get('name'), description: d.get('description') });
      form.reset();
      await load();
    } catch (err) {
      showError(form, err);
    }
  });
  const { live, note } = liveNote('Organizations and members');
  show(
    h('h1', {}, 'Organizations'), note,
    sections,
    h('h2', {}, 'Invite someone'),
    inviteArea,
    h('h2', {}, 'Create an organization'),
    h('p', { class: 'muted' }, 'The service may allow one organization per user only (feature flag multi-organization).'),
    form);
  refreshOnNotice(['organizations'], load, (text) => { live.textContent = text; }, signal);
}

/** Puts the organizations into a select, keeping the chosen one if it is still there. */
function organizationOptions(select, list) {
  const chosen = select.value;
  select.replaceChildren(...list.map((o) => h('option', { value: o.id }, o.name)));
  if (list.some((o) => o.id === chosen)) select.value = chosen;
}

function organizationSection(org, members, onChange) {
  return h('section', { class: 'org', 'data-org': org.id, 'aria-label': 'Organization ' + org.name },
    h('h2', {}, org.name),
    h('p', { class: 'muted' }, (org.description ? org.description + ' — ' : '') + org.id),
    members === null ? h('p', { class: 'muted' }, 'Members are visible to the organization\'s members only.') :
      h('div', { class: 'table-wrap' }, h('table', { class: 'members' },
        h('thead', {}, h('tr', {}, ['Member', 'Full name', 'Roles', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, members.map((m) => h('tr', { 'data-user': m.user_id },
          h('td', {}, m.user ? m.user.username : m.user_id),
          h('td', {}, m.user ? m.user.full_name : ''),
          h('td', {}, (m.roles || []).join(', ')),
          h('td', {}, h('button', {
            type: 'button', class: 'danger', 'aria-label': 'Remove member ' + (m.user ? m.user.username : m.user_id),
            onclick: async () => {
              if (!confirm('Remove ' + (m.user ? m.user.username : m.user_id) + ' from ' + org.name + '?')) return;
              if (await act(() => api('DELETE', '/api/organizations/' + org.id + '/users/' + m.user_id))) await onChange();
            },
          }, 'Remove'))))))));
}

/** One form to invite someone into any of the organizations (by e-mail address or user ID). */
function inviteForm(list) {
  const form = h('form', { id: 'invite-form', novalidate: true });
  const sent = h('span', { class: 'ok', id: 'invite-sent', 'aria-live': 'polite' });
  form.append(
    field('Organization', 'organization_id', h('select', {}, list.map((o) => h('option', { value: o.id }, o.name)))),
    field('E-mail address or user ID', 'email', h('input', {})),
    h('span', { class: 'error', id: fieldId('user_id'), 'aria-live': 'polite' }),
    h('p', { class: 'error form-error', role: 'alert' }),
    h('button', { type: 'submit', id: 'send-invitation' }, 'Send invitation'), sent);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    sent.textContent = '';
    const d = new FormData(form);
    const who = String(d.get('email')).trim();
    const org = d.get('organization_id');
    const body = UUID.test(who) ? { organization_id: org, user_id: who } : { organization_id: org, email: who };
    try {
      await api('POST', '/api/invitations', body);
      sent.textContent = ' Invitation sent; it is listed under Invitations until answered.';
      form.elements.namedItem('email').value = '';
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

// ---- invitations ----

export async function invitationsPage(signal) {
  const area = h('div', { id: 'invitation-list' });
  const render = whenChanged(({ list, user }) => area.replaceChildren(invitationList(list, user, load)));
  const load = async () => {
    const [list, user] = await Promise.all([api('GET', '/api/invitations'), currentUser()]);
    render({ list, user });
  };
  await load();
  const { live, note } = liveNote('Invitations');
  show(
    h('h1', {}, 'Invitations'),
    h('p', { class: 'muted' }, 'Invitations to you, and those your organizations sent that are not answered yet.'),
    note, area);
  refreshOnNotice(['invitations'], load, (text) => { live.textContent = text; }, signal);
}

function invitationList(list, user, onChange) {
  const button = (label, cls, onclick, inv) =>
    h('button', { type: 'button', class: cls, 'data-action': label.toLowerCase(), 'aria-label': label + ' invitation ' + inv.id, onclick }, label);
  const answer = (method, path) => async () => {
    if (await act(() => api(method, path))) await onChange();
  };
  return list.length === 0 ? h('p', { id: 'no-invitations' }, 'No open invitations.') :
    h('div', { class: 'table-wrap' }, h('table', { id: 'invitations' },
      h('thead', {}, h('tr', {}, ['Organization', 'From', 'To', 'Expires', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, list.map((inv) => {
        const toMe = inv.user_id === user.id;
        return h('tr', { 'data-invitation': inv.id },
          h('td', {}, inv.organization ? inv.organization.name : inv.organization_id),
          h('td', {}, inv.from ? inv.from.username : ''),
          h('td', {}, toMe ? 'you' : (inv.email || inv.user_id || '')),
          h('td', {}, inv.expires_at ? new Date(inv.expires_at).toLocaleString() : 'never'),
          h('td', {}, toMe
            ? [button('Accept', null, answer('POST', '/api/invitations/' + inv.id + '/accept'), inv), ' ',
              button('Decline', 'secondary', answer('DELETE', '/api/invitations/' + inv.id), inv)]
            : button('Withdraw', 'secondary', answer('DELETE', '/api/invitations/' + inv.id), inv)));
      }))));
}

// ---- users ----

function accountRows(accounts) {
  return accounts.map((a) => h('tr', { 'data-account': a.id },
    h('td', {}, a.username), h('td', {}, a.full_name), h('td', {}, a.email || ''), h('td', {}, a.admin ? 'yes' : 'no'),
    h('td', { class: 'muted' }, a.user_id || 'not signed in yet')));
}

export async function usersPage(signal) {
  const user = await currentUser();
  let accounts = null;
  try {
    accounts = await api('GET', '/admin/accounts');
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 403)) throw err;
  }
  const you = h('p', { id: 'me' }, 'You are ', h('strong', {}, user.username),
    user.full_name ? ' (' + user.full_name + ')' : '', ', user ID ', h('code', {}, user.id), '.');
  if (accounts === null) {
    show(h('h1', {}, 'Users'), you,
      h('p', { role: 'status' }, 'The API shows each user only their own account; the service\'s accounts are listed for administrators.'));
    return;
  }
  const tbody = h('tbody', {});
  const render = whenChanged((fresh) => tbody.replaceChildren(...accountRows(fresh)));
  render(accounts);
  const load = async () => render(await api('GET', '/admin/accounts'));
  const form = h('form', { id: 'account-form', novalidate: true, autocomplete: 'off' });
  form.append(
    field('Username', 'username', h('input', { required: true })),
    field('Password (at least 8 characters)', 'password', h('input', { type: 'password', autocomplete: 'new-password' })),
    field('Full name', 'full_name', h('input', {})),
    field('E-mail', 'email', h('input', { type: 'email' })),
    h('p', { class: 'error form-error', role: 'alert' }),
    h('button', { type: 'submit', id: 'create-account' }, 'Create account'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const d = new FormData(form);
    try {
      await api('POST', '/admin/accounts', {
        username: d.get('username'), password: d.get('password'),
        full_name: d.get('full_name') || undefined, email: d.get('email') || undefined,
      });
      form.reset();
      await load();
    } catch (err) {
      showError(form, err);
    }
  });
  const { live, note } = liveNote('Accounts');
  show(
    h('h1', {}, 'Users'), you,
    h('h2', {}, 'Accounts of the built-in identity provider'), note,
    h('div', { class: 'table-wrap' }, h('table', { id: 'accounts' },
      h('thead', {}, h('tr', {}, ['Username', 'Full name', 'E-mail', 'Administrator', 'User ID'].map((t) => h('th', {}, t)))),
      tbody)),
    h('h2', {}, 'Create an account'),
    h('p', { class: 'muted' }, 'The new user signs in to the console and to nexctl with it (nexctl account create does the same).'),
    form);
  refreshOnNotice(['users'], load, (text) => { live.textContent = text; }, signal);
}
