import UAParser from 'ua-parser-js';

/**
 * What a User-Agent string says about the device, for the session view (issue 12 §3), parsed by
 * ua-parser-js 1.x (MIT). A field the string does not reveal is null, never a guess.
 */
export interface DeviceDescription {
  /** Name and major version, e.g. "Chrome 124", "Mobile Safari 17". */
  browser: string | null;
  /** Name and version, e.g. "Windows 10", "iOS 17.4". */
  os: string | null;
  /**
   * ua-parser-js's device type: mobile, tablet, console, smarttv, wearable, embedded. Null when
   * the string names none, which is what a desktop browser sends.
   */
  device_type: string | null;
}

const joined = (...parts: (string | undefined)[]): string | null => parts.filter(Boolean).join(' ') || null;

export const describeUserAgent = (userAgent: string): DeviceDescription => {
  if (!userAgent) return { browser: null, os: null, device_type: null };
  const { browser, os, device } = new UAParser(userAgent).getResult();
  return {
    browser: browser.name ? joined(browser.name, browser.major) : null,
    os: os.name ? joined(os.name, os.version) : null,
    device_type: device.type ?? null,
  };
};
