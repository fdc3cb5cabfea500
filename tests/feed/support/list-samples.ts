/**
 * Small lists written for the tests in the shapes of real public CSV and free-text feeds of MISP's
 * catalogue (comments, headers, quoting, delimiters, columns), with documentation addresses and
 * made-up names instead of real indicators.
 */
export interface ListSample {
  format: 'csv' | 'freetext';
  /** MISP's settings for the feed, as its catalogue writes them. */
  settings: string;
  body: string;
  /** What the list holds, as `type value`, in order. */
  expected: string[];
}

export const LIST_SAMPLES: Record<string, ListSample> = {
  'a botnet C2 block list (CSV, quoted, column 2)': {
    format: 'csv',
    settings: '{"csv":{"value":"2","delimiter":","},"common":{"excluderegex":""}}',
    body: [
      '################################################################',
      '# Botnet C2 IP Blocklist (CSV)                                  #',
      '# Last updated: 2026-11-29 10:05:03 UTC                         #',
      '################################################################',
      '"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"',
      '"2026-10-01 08:11:42","203.0.113.10","443","online","2026-11-29","QakBot"',
      '"2026-10-02 17:40:09","198.51.100.23","8080","offline","2026-11-20","Emotet"',
      '"2026-10-03 03:02:11","203.0.113.10","995","online","2026-11-29","QakBot"',
      '# end of list',
      '',
    ].join('\r\n'),
    expected: ['ip-dst 203.0.113.10', 'ip-dst 198.51.100.23'],
  },
  'a honeypot report (pipe-separated, padded, column 3)': {
    format: 'csv',
    settings: '{"csv":{"value":"3","delimiter":"|"},"common":{"excluderegex":""}}',
    body: [
      '#  ASN    |  ASname         |  ipaddr          |  category   |  lastseen',
      '#',
      '64496     |  EXAMPLE-AS-1   |  192.0.2.44      |  sshpwauth  |  2026-11-28 22:14:07',
      '64497     |  EXAMPLE-AS-2   |  198.51.100.77   |  sshpwauth  |  2026-11-29 01:02:03',
      '',
    ].join('\n'),
    expected: ['ip-dst 192.0.2.44', 'ip-dst 198.51.100.77'],
  },
  'a malware URL dump (CSV, quoted cells holding commas, column 3)': {
    format: 'csv',
    settings: '{"csv":{"value":"3","delimiter":","},"common":{"excluderegex":""},"disable_correlation":"1"}',
    body: [
      '################################################################',
      '# Malware URL database dump (CSV - recent URLs only)           #',
      '################################################################',
      '#',
      '# id,dateadded,url,url_status,last_online,threat,tags,link,reporter',
      '"3300001","2026-11-29 09:00:01","http://203.0.113.50:44123/i","online","2026-11-29 09:00:01","malware_download","elf,mozi","https://tracker.example/url/3300001/","analyst1"',
      '"3300002","2026-11-29 08:59:44","https://evil-site.com/wp-content/x.zip","online","2026-11-29 08:59:44","malware_download","zip,""quoted""","https://tracker.example/url/3300002/","analyst2"',
      '',
    ].join('\n'),
    expected: ['url http://203.0.113.50:44123/i', 'url https://evil-site.com/wp-content/x.zip'],
  },
  'a phishing list (CSV with a header, column 2, an exclusion regex)': {
    format: 'csv',
    settings: '{"csv":{"value":"2","delimiter":","},"common":{"excluderegex":"\\/^http:\\\\\\/\\\\\\/www.phishtank.com\\/i"}}',
    body: [
      'phish_id,url,phish_detail_url,submission_time,verified,online,target',
      '9000001,https://login.evil-site.com/secure/,http://www.phishtank.com/phish_detail.php?phish_id=9000001,2026-11-29T08:00:00+00:00,yes,yes,Other',
      '9000002,http://www.phishtank.com/should-be-left-out,http://www.phishtank.com/phish_detail.php?phish_id=9000002,2026-11-29T08:01:00+00:00,yes,yes,Other',
      '',
    ].join('\n'),
    expected: ['url https://login.evil-site.com/secure/'],
  },
  'a panel tracker (semicolons, columns 3 and 4)': {
    format: 'csv',
    settings: '{"csv":{"value":"3,4","delimiter":";"},"common":{"excluderegex":""}}',
    body: ['id;family;url;ip;date', '1;Lokibot;http://evil-site.com/panel/admin.php;203.0.113.80;2026-11-28', '2;Azorult;http://other-evil.net/index.php;203.0.113.81;2026-11-28', ''].join('\n'),
    expected: ['url http://evil-site.com/panel/admin.php', 'ip-dst 203.0.113.80', 'url http://other-evil.net/index.php', 'ip-dst 203.0.113.81'],
  },
  'an aggregated IP list (free text, comments and counts)': {
    format: 'freetext',
    settings: '{"csv":{"value":"","delimiter":","},"common":{"excluderegex":""}}',
    body: [
      '# Aggregated IP threat list',
      '#',
      '# Last update: Sun, 29 Nov 2026 03:00:01 +0100',
      '#',
      '# IP\tnumber of (black)lists',
      '#',
      '203.0.113.91\t9',
      '198.51.100.92\t7',
      '',
    ].join('\n'),
    expected: ['ip-dst 203.0.113.91', 'ip-dst 198.51.100.92'],
  },
  'a phishing URL list (free text, one URL a line)': {
    format: 'freetext',
    settings: '{"csv":{"value":"","delimiter":","},"common":{"excluderegex":""}}',
    body: ['https://secure-login.evil-site.com/account/verify', 'http://203.0.113.120/bank/', 'https://evil-site.com/', ''].join('\n'),
    expected: ['url https://secure-login.evil-site.com/account/verify', 'url http://203.0.113.120/bank/', 'url https://evil-site.com/'],
  },
  'a list of defanged indicators from posts (free text, an exclusion regex)': {
    format: 'freetext',
    settings: '{"disable_correlation":"0","csv":{"value":"","delimiter":""},"common":{"excluderegex":"\\/^#.*|Threatview.*\\/i"}}',
    body: ['#Threatview.io - OSINT Threat Feed', 'hxxp://evil-site[.]com/gate.php', 'evil-other[.]net', '203.0.113.130:8443', 'threatview.io', ''].join('\n'),
    expected: ['url http://evil-site.com/gate.php', 'domain evil-other.net', 'ip-dst|port 203.0.113.130|8443'],
  },
};
