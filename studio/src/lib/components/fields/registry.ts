/**
 * One input per field type. A type missing here is shown read-only (computed types always are):
 * a new field type shows up in the studio by adding a line here.
 */
import type { Component } from 'svelte';
import BooleanInput from './BooleanInput.svelte';
import LongTextInput from './LongTextInput.svelte';
import MoneyInput from './MoneyInput.svelte';
import MultiSelectInput from './MultiSelectInput.svelte';
import PartsInput from './PartsInput.svelte';
import RelationInput from './RelationInput.svelte';
import SelectInput from './SelectInput.svelte';
import TextInput from './TextInput.svelte';
import type { InputProps } from './input.types.ts';

const INPUTS: Record<string, Component<InputProps, object, 'value'>> = {
  text: TextInput, email: TextInput, phone: TextInput, url: TextInput,
  integer: TextInput, number: TextInput, percent: TextInput, rating: TextInput,
  date: TextInput, datetime: TextInput,
  longText: LongTextInput, richText: LongTextInput, json: LongTextInput,
  boolean: BooleanInput,
  select: SelectInput, multiSelect: MultiSelectInput,
  currency: MoneyInput,
  fullName: PartsInput, address: PartsInput,
  relation: RelationInput,
};

export const inputFor = (type: string): Component<InputProps, object, 'value'> | undefined => INPUTS[type];
