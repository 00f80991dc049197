// lib/format: what docker's CLI uses to print lists and values (--format templates, tables, sizes,
// durations, ps status words).
export { compileTemplate, renderTemplate, TemplateError } from './template.js';
export type { CompiledTemplate, FuncDef, FuncMap } from './template.js';
export { defaultHeader, formatTable, parseFormat, renderHeader, renderList, tabwrite } from './table.js';
export type { ParsedFormat, RenderListOptions, TabOptions } from './table.js';
export { bytesSize, ellipsis, fromHumanSize, humanDuration, humanSize, humanSizeWithPrecision, ramInBytes, runeDisplayWidth, statusText, timeAgo } from './units.js';
export type { StatusInput } from './units.js';
export { formatValue, sprintf } from './go-fmt.js';
