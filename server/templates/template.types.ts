/* Generated from schemas/template.schema.json by schemas/tools/generate-types.ts; do not edit. */

/**
 * A Handlebars template (issue 7): an email (subject, HTML and text parts), a document (letter, receipt, printable record summary), a record title, or a partial that the others include with {{> name}}. Every part is HTML-escaped by default ({{value}}); {{{value}}} inserts a value as it is. Defaults ship as files in templates/; administrators save their own versions in MongoDB, and every version is kept.
 */
export interface TemplateDefinition {
  /**
   * Immutable key; optional in the body, and then taken from the URL.
   */
  name?: string;
  /**
   * email: subject plus html and/or text; document: html (text optional); title: text; partial: html and/or text, included by the other kinds (the html variant in html parts, the text variant in subject and text parts).
   */
  kind: 'email' | 'document' | 'title' | 'partial';
  label?: string;
  description?: string;
  /**
   * The entity whose records it is written for (merge fields under record.*); previews default to it.
   */
  entity?: string;
  parts: {
    subject?: string;
    html?: string;
    text?: string;
  };
}
