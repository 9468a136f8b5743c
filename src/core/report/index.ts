/** Report writers shared by every command: JSON, Markdown summary and JUnit XML. */
export * from './model';
export { renderMarkdown, escapeCell, type MarkdownOptions } from './markdown';
export { renderJunit, escapeXml, type JunitOptions } from './junit';
export { writeReportFile, writeJsonReportFile, renderJson, jsonChunks } from './files';
