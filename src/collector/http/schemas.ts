// JSON schema pieces shared by routes.
export const versionParams = {
  type: 'object',
  required: ['model', 'version'],
  properties: { model: { type: 'string', maxLength: 128 }, version: { type: 'string', maxLength: 128 } },
} as const;

/** from/to in ms since the epoch; segment as a JSON object of strings. */
export const rangeQuery = {
  type: 'object',
  properties: {
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    segment: { type: 'string', maxLength: 4096 },
  },
} as const;
