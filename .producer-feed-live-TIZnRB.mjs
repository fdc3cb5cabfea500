
import { FeedGenerator } from "misp-sekoia-automation-module/feed";
const feed = new FeedGenerator({ directory: "/tmp/feed-live-TIZnRB/feed", orgName: 'Honeynet', tags: ['tlp:clear'] });
const c2 = feed.addAttribute({ type: 'ip-dst', value: '203.0.113.9', comment: 'C2 seen by the sensor' });
feed.addObject('cowrie', { session: 'a1b2c3', src_ip: '198.51.100.23', username: 'root', password: ['123456'] });
feed.addObject('file', { filename: 'payload.sh', sha256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f' }, { references: [{ referencedUuid: c2, relationship: 'communicates-with' }] });
const report = await feed.flush();
console.log(JSON.stringify(report));
