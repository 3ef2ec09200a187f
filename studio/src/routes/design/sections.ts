/**
 * The Design area's sections, each its own screen loaded on demand (so the Records area's users
 * never download the designers). `item` is the second path segment: /design/objects/contact.
 */
import type { Component } from 'svelte';

export type DesignSection = { name: string; label: string; description: string; load: () => Promise<{ default: Component<{ item?: string }> }> };

export const SECTIONS: DesignSection[] = [];
