import { mount } from 'svelte';
import App from './App.svelte';
import { session } from './lib/state/session.svelte.ts';
import './app.css';

void session.load();
mount(App, { target: document.getElementById('app')! });
