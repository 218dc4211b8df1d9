/**
 * What a User-Agent string says about the device, for the session view (issue 12 §3).
 *
 * TODO(issue 12): parse with the `ua-parser-js` package once it is a dependency (it is not in
 * node_modules yet). Until then every field is null: guessing from substrings would be wrong
 * often enough to mislead a user deciding which session to end.
 */
export interface DeviceDescription {
  browser: string | null;
  os: string | null;
  /** ua-parser-js's device type (mobile, tablet, …), null for a desktop or an unknown device. */
  device_type: string | null;
}

export const describeUserAgent = (_userAgent: string): DeviceDescription => ({ browser: null, os: null, device_type: null });
