/**
 * The Design area's sections, each its own screen loaded on demand (so the Records area's users
 * never download the designers). `item` is the second path segment: /design/objects/contact.
 */
import type { Component } from 'svelte';

/** `everyone`: open to users who are not administrators too (the recycle bin: each sees what they deleted). */
export type DesignSection = { name: string; label: string; description: string; everyone?: boolean; load: () => Promise<{ default: Component<{ item?: string }> }> };

export const SECTIONS: DesignSection[] = [
  { name: 'packs', label: 'Solution packs', description: 'Sales, nonprofit and HR: a working CRM with sample data in one click', load: () => import('./packs/Packs.svelte') },
  { name: 'objects', label: 'Objects', description: 'Entities, their fields and relations', load: () => import('./objects/ObjectsScreen.svelte') },
  { name: 'templates', label: 'Templates', description: 'Emails and documents in Handlebars, previewed live against a record', load: () => import('./templates/Templates.svelte') },
  { name: 'plugins', label: 'Plugins', description: 'Install plugins, grant what they may reach, settings and logs', load: () => import('./plugins/Plugins.svelte') },
  { name: 'access', label: 'Users & roles', description: 'Invite users; a permission matrix, field access and sharing per role', load: () => import('./access/Access.svelte') },
  { name: 'outbox', label: 'Outbox', description: 'Mail queued, sent and failed, with retry; the mail catcher', load: () => import('./outbox/Outbox.svelte') },
  { name: 'recycle-bin', label: 'Recycle bin', description: 'Deleted records: restore or purge', everyone: true, load: () => import('./recycle-bin/RecycleBin.svelte') },
  { name: 'forms', label: 'Forms', description: 'Record page layouts: tabs, sections, related lists, conditions, by role', load: () => import('./forms/FormsSection.svelte') },
  { name: 'dashboards', label: 'Dashboards', description: 'Charts on the home page, from group-by reports, by role', load: () => import('../dashboards/DashboardEditor.svelte') },
  { name: 'workflows', label: 'Workflows', description: 'Automate processes: triggers, conditions, steps, approvals, state machines; test and run history', load: () => import('./workflows/Workflows.svelte') },
];
