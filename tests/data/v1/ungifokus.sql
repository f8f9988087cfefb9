PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
INSERT INTO schema_migrations VALUES(1,'0001-initial.sql','2026-12-08T01:09:04Z');
INSERT INTO schema_migrations VALUES(2,'0002-caseworkers.sql','2026-12-08T01:09:04Z');
INSERT INTO schema_migrations VALUES(3,'0003-seals.sql','2026-12-08T01:09:04Z');
INSERT INTO schema_migrations VALUES(4,'0004-followups.sql','2026-12-08T01:09:04Z');
CREATE TABLE trial (
	id              INTEGER PRIMARY KEY CHECK (id = 1),
	trial_id        TEXT NOT NULL,
	protocol        BLOB NOT NULL,   -- the protocol file's exact bytes
	protocol_name   TEXT NOT NULL,   -- file name given at init, for reference
	protocol_sha256 TEXT NOT NULL,   -- SHA-256 of protocol, hex
	seed_commitment TEXT NOT NULL,   -- SHA-256 of the secret seed, hex
	created_at      TEXT NOT NULL    -- UTC, YYYY-MM-DDTHH:MM:SSZ
);
INSERT INTO trial VALUES(1,'ungifokus',X'2320556e6769466f6b7573202d20416172687573204b6f6d6d756e65277320747269616c206f66206f6e65207072696d61727920636f6e7461637420706572736f6e20666f720a2320796f756e672070656f706c65206f6e20656475636174696f6e2062656e656669742077686f206172652061737365737365642061732061637469766974792d72656164790a232028616b74697669746574737061726174292c206576616c756174656420616761696e737420746865206f7264696e61727920656d706c6f796d656e74206566666f72742e0a2320466f726d61743a20646f63732f70726f746f636f6c2e6d642e2020436865636b20776974683a20736f727465732070726f746f636f6c20636865636b2046494c450a736f727465733a20310a0a747269616c3a0a202069643a20756e6769666f6b75730a20207469746c653a2022556e6769466f6b75733a206f6e65207072696d61727920636f6e7461637420706572736f6e20666f722061637469766974792d726561647920796f756e672070656f706c65206f6e20656475636174696f6e2062656e65666974220a202073706f6e736f723a2022416172687573204b6f6d6d756e652c204265736bc3a666746967656c736573666f7276616c746e696e67656e3b206576616c756174696f6e2066756e646564206279204c696e6420466f6e64656e220a202074696d657a6f6e653a204575726f70652f436f70656e686167656e0a20202320666f6c6c6f772d757020696e74657276696577732068617070656e206f6e20776f726b696e6720646179730a20207765656b656e64733a206e6578745f6d6f6e6461790a2020232054686520736f6369616c20696d7061637420696e766573746d656e742069732073697a656420666f722035303020796f7574687320696e207468650a20202320696e74657276656e74696f6e2061726d3b20313a3120616c6c6f636174696f6e20646f75626c657320746865206e756d62657220656e726f6c6c65642e0a20207461726765745f656e726f6c6c6d656e743a20313030300a0a61726d733a0a20202d20636f64653a20490a202020206e616d653a2022556e6769466f6b75733a206f6e65207072696d61727920636f6e7461637420706572736f6e220a20202020726174696f3a20310a20202d20636f64653a20430a202020206e616d653a204f7264696e61727920656d706c6f796d656e74206566666f72740a20202020726174696f3a20310a0a72616e646f6d697a6174696f6e3a0a2020756e69743a20696e646976696475616c0a20206d6574686f643a20737472617469666965645f626c6f636b730a2020232042616c616e63652077697468696e2065616368206a6f622063656e74726520616e64207365783b20626c6f636b2073697a657320766172792061742072616e646f6d0a20202320736f20746865206e65787420616c6c6f636174696f6e2063616e6e6f7420626520677565737365642066726f6d20746865206c617374206f6e65732e0a20207374726174613a205b6a6f6263656e7472652c207365785d0a2020626c6f636b5f73697a65733a205b322c20342c20365d0a0a6669656c64733a0a20202d206e616d653a2062697274685f646174650a202020206c6162656c3a2044617465206f662062697274680a20202020747970653a20646174650a2020202072657175697265643a20747275650a20202d206e616d653a207365780a202020206c6162656c3a204c6567616c20736578202866726f6d2074686520435052207265676973746572290a20202020747970653a20656e756d0a2020202076616c7565733a205b462c204d5d0a2020202072657175697265643a20747275650a20202d206e616d653a2062656e656669740a202020206c6162656c3a2042656e6566697420726563656976656420617420656e726f6c6c6d656e740a20202020747970653a20656e756d0a2020202076616c7565733a205b756464616e6e656c736573686a61656c702c206b6f6e74616e74686a61656c702c206c65646967686564737964656c73652c207379676564616770656e67655d0a2020202072657175697265643a20747275650a20202d206e616d653a2061637469766974795f72656164790a202020206c6162656c3a2041737365737365642061732061637469766974792d72656164792028616b74697669746574737061726174290a20202020747970653a20626f6f6c65616e0a2020202072657175697265643a20747275650a20202d206e616d653a206a6f6263656e7472650a202020206c6162656c3a204a6f6263656e7465722041617268757320756e697420726573706f6e7369626c6520666f722074686520796f7574680a20202020747970653a20656e756d0a2020202076616c7565733a205b6d6964742c206e6f72642c207379642c20766573745d0a2020202072657175697265643a20747275650a0a656c69676962696c6974793a0a20202d206e616d653a206167652031382d32380a202020206167655f6f663a2062697274685f646174650a202020206d696e3a2031380a202020206d61783a2032380a20202d206e616d653a206f6e20656475636174696f6e2062656e656669740a202020206669656c643a2062656e656669740a20202020657175616c733a20756464616e6e656c736573686a61656c700a20202d206e616d653a2061737365737365642061637469766974792d72656164790a202020206669656c643a2061637469766974795f72656164790a20202020657175616c733a20747275650a0a6d656173757265733a0a20202d20636f64653a20656d706c6f796d656e740a202020206c6162656c3a204d61696e20616374697669747920286a6f622c20656475636174696f6e2c20666c65782d6a6f62206f72206e6f6e65290a20202020747970653a20656e756d0a2020202076616c7565733a205b6a6f622c20656475636174696f6e2c20666c656b736a6f622c206e6f6e655d0a20202d20636f64653a2077686f350a202020206c6162656c3a2057484f2d352077656c6c2d6265696e6720696e6465782028302d313030290a20202020747970653a20696e74656765720a202020206d696e3a20300a202020206d61783a203130300a20202d20636f64653a207765656b6c795f686f7572730a202020206c6162656c3a20486f7572732061207765656b20696e206a6f622c20656475636174696f6e206f7220696e7465726e736869700a20202020747970653a20646563696d616c0a20202020646563696d616c733a20310a202020206d696e3a20300a202020206d61783a2038300a0a23204d656173757265642066726f6d2074686520646179206f6620656e726f6c6c6d656e743b20656163682077696e646f77206f70656e732031342064617973206265666f72650a2320616e6420636c6f7365732033302064617973206166746572207468652064756520646174652e0a666f6c6c6f777570733a0a20202d20636f64653a206d360a202020206c6162656c3a2036206d6f6e74687320616674657220656e726f6c6c6d656e740a202020206f66667365743a2036206d6f6e7468730a2020202077696e646f773a207b6265666f72653a20313420646179732c2061667465723a20333020646179737d0a202020206d656173757265733a205b656d706c6f796d656e742c2077686f352c207765656b6c795f686f7572735d0a20202d20636f64653a206d31320a202020206c6162656c3a203132206d6f6e74687320616674657220656e726f6c6c6d656e740a202020206f66667365743a203132206d6f6e7468730a2020202077696e646f773a207b6265666f72653a20313420646179732c2061667465723a20333020646179737d0a202020206d656173757265733a205b656d706c6f796d656e742c2077686f352c207765656b6c795f686f7572735d0a20202d20636f64653a206d32340a202020206c6162656c3a203234206d6f6e74687320616674657220656e726f6c6c6d656e740a202020206f66667365743a203234206d6f6e7468730a2020202077696e646f773a207b6265666f72653a20313420646179732c2061667465723a20333020646179737d0a202020206d656173757265733a205b656d706c6f796d656e742c2077686f352c207765656b6c795f686f7572735d0a','protocols/ungifokus.yaml','acca9d27745a9b6cc83968b36b71492341ec44cb489f8e6335c09d3dcf265261','549739efdc12cb6755b224539d99e83c2142dfa958cb4d2f2c28605424c9e968','2025-03-03T09:00:00Z');
CREATE TABLE log (
	seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
	kind      TEXT NOT NULL,
	body      TEXT NOT NULL,         -- canonical JSON (RFC 8785)
	prev_hash TEXT NOT NULL,         -- hash of entry seq-1; 64 zeros for seq 1
	hash      TEXT NOT NULL          -- SHA-256(prev_hash bytes || body), hex
);
INSERT INTO log VALUES(1,'genesis','{"commitment":"549739efdc12cb6755b224539d99e83c2142dfa958cb4d2f2c28605424c9e968","created_at":"2025-03-03T09:00:00Z","kind":"genesis","log_format":1,"protocol_sha256":"acca9d27745a9b6cc83968b36b71492341ec44cb489f8e6335c09d3dcf265261","seq":1,"trial":"ungifokus"}','0000000000000000000000000000000000000000000000000000000000000000','38d5eca4f9356bd0e67c711e729dcb76b2f161f6ba71d444dcc35a0356466324');
INSERT INTO log VALUES(2,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":0},"arm":"C","caseworker":"CW03","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-03-12","jobcentre":"nord","sex":"M"},"kind":"enroll","participant":"01a25332-730f-7dc0-84ea-5da948088448","pseudonym":"9118d3f98d452f82249a6d8725abbb18e89ee70467b21f69482b2ae78829f1ba","seq":2,"stratum":{"jobcentre":"nord","sex":"M"}}','38d5eca4f9356bd0e67c711e729dcb76b2f161f6ba71d444dcc35a0356466324','c0e76b279aad60d4344cdd1fb24851d2a9ce84edbd87086f0e2bed85632df99f');
INSERT INTO log VALUES(3,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":0},"arm":"I","caseworker":"CW01","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-04-13","jobcentre":"syd","sex":"F"},"kind":"enroll","participant":"01a25332-730f-7608-9c11-eb50c1d7e5f5","pseudonym":"cf0f4f0832124d632a1f404bcff8af97f1dcc77be33983b515b107b2ff9c7c91","seq":3,"stratum":{"jobcentre":"syd","sex":"F"}}','c0e76b279aad60d4344cdd1fb24851d2a9ce84edbd87086f0e2bed85632df99f','9e52a4d639f2116bd32c142702498f15a472b63fa81ac845c8a411b6bfd0a87b');
INSERT INTO log VALUES(4,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":0},"arm":"C","caseworker":"CW02","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-05-14","jobcentre":"syd","sex":"M"},"kind":"enroll","participant":"01a25332-730f-7061-8a27-c4a733aa7fcd","pseudonym":"e88db8e2ae4cc3117b461b22306e35f9553dc5d2028f50a9589f621c66d1e7aa","seq":4,"stratum":{"jobcentre":"syd","sex":"M"}}','9e52a4d639f2116bd32c142702498f15a472b63fa81ac845c8a411b6bfd0a87b','8ac9bb78c9e19e2abb87f86094c148cd3e5a9c14b77ef31c96ca1b92ec7513c4');
INSERT INTO log VALUES(5,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":0},"arm":"C","caseworker":"CW03","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-06-15","jobcentre":"nord","sex":"F"},"kind":"enroll","participant":"01a25332-730f-7a15-aba7-39de407236bd","pseudonym":"ea59bfdcca8298c1ea8a8788a61822b6076b08c9e0a473e8018a6a764ae4545e","seq":5,"stratum":{"jobcentre":"nord","sex":"F"}}','8ac9bb78c9e19e2abb87f86094c148cd3e5a9c14b77ef31c96ca1b92ec7513c4','598172eaf41e82e4a77b1c958e284c0d9762ea21b97beba577c8954e7574f8b4');
INSERT INTO log VALUES(6,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":1},"arm":"C","caseworker":"CW01","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-07-16","jobcentre":"nord","sex":"M"},"kind":"enroll","participant":"01a25332-730f-7886-911b-1a72f5e14ba8","pseudonym":"798e01de147763f50f87a302eb9053553c0c145a8690fd0e8becec4aab86515f","seq":6,"stratum":{"jobcentre":"nord","sex":"M"}}','598172eaf41e82e4a77b1c958e284c0d9762ea21b97beba577c8954e7574f8b4','d60c3a17398d9898924a469e0ccdb3913e84186c66a1d1532b9875c0f28963f7');
INSERT INTO log VALUES(7,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":1},"arm":"C","caseworker":"CW02","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-08-17","jobcentre":"syd","sex":"F"},"kind":"enroll","participant":"01a25332-730f-77f3-9024-35c4d1b31cdc","pseudonym":"86af2839afeecc969becb100f85d3d91fe63f5872c5fcc2322ca6f242be486a7","seq":7,"stratum":{"jobcentre":"syd","sex":"F"}}','d60c3a17398d9898924a469e0ccdb3913e84186c66a1d1532b9875c0f28963f7','c73bb71065504ce45ab458a5ce372efa6c14ab55ca8b435a1cba50224509389e');
INSERT INTO log VALUES(8,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":1},"arm":"C","caseworker":"CW03","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-09-18","jobcentre":"syd","sex":"M"},"kind":"enroll","participant":"01a25332-730f-7b61-aec6-36214133bfab","pseudonym":"2025265f1d28dfbdf175c2043f660316326a3ac9d7914c374ea2e69bd1d2813a","seq":8,"stratum":{"jobcentre":"syd","sex":"M"}}','c73bb71065504ce45ab458a5ce372efa6c14ab55ca8b435a1cba50224509389e','5335487e7e2731ad62be9941a3d60641ddf6fffada45044b65664d8584d312f0');
INSERT INTO log VALUES(9,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":1},"arm":"I","caseworker":"CW01","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-01-10","jobcentre":"nord","sex":"F"},"kind":"enroll","participant":"01a25332-730f-7ebc-aa3c-1853ba4d047c","pseudonym":"475ac0887d9e2feb1da97dcda6c693d412e5a1b7c7561464b7570386b96041b6","seq":9,"stratum":{"jobcentre":"nord","sex":"F"}}','5335487e7e2731ad62be9941a3d60641ddf6fffada45044b65664d8584d312f0','a1ba006cc659c0d1a74d3ea1937462d3bb85199cae719eebb65ac5cb09757192');
INSERT INTO log VALUES(10,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":2},"arm":"C","caseworker":"CW02","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-02-11","jobcentre":"nord","sex":"M"},"kind":"enroll","participant":"01a25332-730f-79ce-8b08-a17ed70c2a88","pseudonym":"40b16c456fe3a15931a6dca34646d5b178520886975a9923f2f90a41f4425d68","seq":10,"stratum":{"jobcentre":"nord","sex":"M"}}','a1ba006cc659c0d1a74d3ea1937462d3bb85199cae719eebb65ac5cb09757192','60968c0dc542081360272f73a50ed770bfbff6fd0b1323d8052c9494fa064f0b');
INSERT INTO log VALUES(11,'enroll','{"allocation":{"counter":1,"method":"stratified_blocks","position":0},"arm":"C","caseworker":"CW03","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-03-12","jobcentre":"syd","sex":"F"},"kind":"enroll","participant":"01a25332-730f-72ef-a076-a865b9d9d67c","pseudonym":"a8952d8839fe2e7687089573b5b0ee5cfbac6262faa1c8850d48bc20a9f42de9","seq":11,"stratum":{"jobcentre":"syd","sex":"F"}}','60968c0dc542081360272f73a50ed770bfbff6fd0b1323d8052c9494fa064f0b','9d9aaf9351a0e87729493f2148c40227cc763311d811c6d1f5f04784184628f1');
INSERT INTO log VALUES(12,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":2},"arm":"I","caseworker":"CW01","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-04-13","jobcentre":"syd","sex":"M"},"kind":"enroll","participant":"01a25332-730f-7766-b812-d5234968629e","pseudonym":"1cf722b5061f17cdfa3532b7e314dfff7f2c6bc6596ff4c2e350ddfa4b0141bf","seq":12,"stratum":{"jobcentre":"syd","sex":"M"}}','9d9aaf9351a0e87729493f2148c40227cc763311d811c6d1f5f04784184628f1','9c51fc8a7bb9bffa178a08a69e8f9588413cf80faae7bae15f8e99c1a0a41fe9');
INSERT INTO log VALUES(13,'enroll','{"allocation":{"counter":0,"method":"stratified_blocks","position":2},"arm":"C","caseworker":"CW02","enrolled_at":"2025-03-03T09:00:00Z","fields":{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-05-14","jobcentre":"nord","sex":"F"},"kind":"enroll","participant":"01a25332-730f-72a2-a769-8148d33d3ccd","pseudonym":"9d2da39a927ff1adf952cf200c28a4990f81d313561162a7365986e430028669","seq":13,"stratum":{"jobcentre":"nord","sex":"F"}}','9c51fc8a7bb9bffa178a08a69e8f9588413cf80faae7bae15f8e99c1a0a41fe9','d92ee197167469c8bb09779aea82d6eccce0a5afc5f6ec1d5d5d38a9db4a314b');
INSERT INTO log VALUES(14,'transfer','{"cross_arm":null,"from":"CW03","kind":"transfer","participant":"01a25332-730f-7dc0-84ea-5da948088448","seq":14,"to":"CW09","transferred_at":"2025-03-10T09:00:00Z"}','d92ee197167469c8bb09779aea82d6eccce0a5afc5f6ec1d5d5d38a9db4a314b','dc6fe6d600f4cb5ff6b825dfc80b1154431dd1edaf56ac88a51aefc34b670e27');
INSERT INTO log VALUES(15,'withdraw','{"kind":"withdraw","participant":"01a25332-730f-7608-9c11-eb50c1d7e5f5","reason":"moved away","seq":15,"withdrawn_at":"2025-03-11T09:00:00Z"}','dc6fe6d600f4cb5ff6b825dfc80b1154431dd1edaf56ac88a51aefc34b670e27','f8587ad3a6cc25dbcadbc824b9a9a53b2ff5ba93f9df4b9d189190e396642924');
INSERT INTO log VALUES(16,'measure','{"kind":"measure","measured_on":"2025-09-03","measures":{"employment":"job","weekly_hours":"37.5","who5":60},"occasion":"m6","out_of_window":false,"participant":"01a25332-730f-7dc0-84ea-5da948088448","recorded_at":"2025-09-03T09:00:00Z","seq":16,"supersedes":null}','f8587ad3a6cc25dbcadbc824b9a9a53b2ff5ba93f9df4b9d189190e396642924','25d8fdc9be04fdf5f77e1e363c82c3b8a6634429c94e91654cb6a9e8b51c8a80');
INSERT INTO log VALUES(17,'freeze','{"kind":"freeze","note":"cohort 1","sealed_at":"2025-09-04T09:00:00Z","seq":17,"signer":"840169c6d0a4c56be3ab3ac1d012776403ee9273eec24eb0b58bbcb79f85308e"}','25d8fdc9be04fdf5f77e1e363c82c3b8a6634429c94e91654cb6a9e8b51c8a80','25063c26da0f07592f9e636945d4f70fa7aca41ea47300356a3eeea3d5af43ba');
CREATE TABLE participants (
	seq         INTEGER PRIMARY KEY REFERENCES log (seq),
	id          TEXT NOT NULL UNIQUE,        -- UUID, version 7 (time-ordered)
	pseudonym   TEXT NOT NULL UNIQUE,        -- HMAC-SHA256 of the person id, hex
	caseworker  TEXT NOT NULL,
	fields      TEXT NOT NULL,               -- canonical JSON object
	stratum     TEXT NOT NULL,               -- canonical JSON object
	enrolled_at TEXT NOT NULL
);
INSERT INTO participants VALUES(2,'01a25332-730f-7dc0-84ea-5da948088448','9118d3f98d452f82249a6d8725abbb18e89ee70467b21f69482b2ae78829f1ba','CW03','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-03-12","jobcentre":"nord","sex":"M"}','{"jobcentre":"nord","sex":"M"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(3,'01a25332-730f-7608-9c11-eb50c1d7e5f5','cf0f4f0832124d632a1f404bcff8af97f1dcc77be33983b515b107b2ff9c7c91','CW01','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-04-13","jobcentre":"syd","sex":"F"}','{"jobcentre":"syd","sex":"F"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(4,'01a25332-730f-7061-8a27-c4a733aa7fcd','e88db8e2ae4cc3117b461b22306e35f9553dc5d2028f50a9589f621c66d1e7aa','CW02','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-05-14","jobcentre":"syd","sex":"M"}','{"jobcentre":"syd","sex":"M"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(5,'01a25332-730f-7a15-aba7-39de407236bd','ea59bfdcca8298c1ea8a8788a61822b6076b08c9e0a473e8018a6a764ae4545e','CW03','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-06-15","jobcentre":"nord","sex":"F"}','{"jobcentre":"nord","sex":"F"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(6,'01a25332-730f-7886-911b-1a72f5e14ba8','798e01de147763f50f87a302eb9053553c0c145a8690fd0e8becec4aab86515f','CW01','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-07-16","jobcentre":"nord","sex":"M"}','{"jobcentre":"nord","sex":"M"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(7,'01a25332-730f-77f3-9024-35c4d1b31cdc','86af2839afeecc969becb100f85d3d91fe63f5872c5fcc2322ca6f242be486a7','CW02','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-08-17","jobcentre":"syd","sex":"F"}','{"jobcentre":"syd","sex":"F"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(8,'01a25332-730f-7b61-aec6-36214133bfab','2025265f1d28dfbdf175c2043f660316326a3ac9d7914c374ea2e69bd1d2813a','CW03','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-09-18","jobcentre":"syd","sex":"M"}','{"jobcentre":"syd","sex":"M"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(9,'01a25332-730f-7ebc-aa3c-1853ba4d047c','475ac0887d9e2feb1da97dcda6c693d412e5a1b7c7561464b7570386b96041b6','CW01','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-01-10","jobcentre":"nord","sex":"F"}','{"jobcentre":"nord","sex":"F"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(10,'01a25332-730f-79ce-8b08-a17ed70c2a88','40b16c456fe3a15931a6dca34646d5b178520886975a9923f2f90a41f4425d68','CW02','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-02-11","jobcentre":"nord","sex":"M"}','{"jobcentre":"nord","sex":"M"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(11,'01a25332-730f-72ef-a076-a865b9d9d67c','a8952d8839fe2e7687089573b5b0ee5cfbac6262faa1c8850d48bc20a9f42de9','CW03','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-03-12","jobcentre":"syd","sex":"F"}','{"jobcentre":"syd","sex":"F"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(12,'01a25332-730f-7766-b812-d5234968629e','1cf722b5061f17cdfa3532b7e314dfff7f2c6bc6596ff4c2e350ddfa4b0141bf','CW01','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-04-13","jobcentre":"syd","sex":"M"}','{"jobcentre":"syd","sex":"M"}','2025-03-03T09:00:00Z');
INSERT INTO participants VALUES(13,'01a25332-730f-72a2-a769-8148d33d3ccd','9d2da39a927ff1adf952cf200c28a4990f81d313561162a7365986e430028669','CW02','{"activity_ready":true,"benefit":"uddannelseshjaelp","birth_date":"2001-05-14","jobcentre":"nord","sex":"F"}','{"jobcentre":"nord","sex":"F"}','2025-03-03T09:00:00Z');
CREATE TABLE allocations (
	seq      INTEGER PRIMARY KEY REFERENCES participants (seq),
	arm      TEXT NOT NULL,
	method   TEXT NOT NULL,
	counter  INTEGER NOT NULL,       -- stream index: block number or draw number
	position INTEGER                 -- place within the block; NULL if unblocked
);
INSERT INTO allocations VALUES(2,'C','stratified_blocks',0,0);
INSERT INTO allocations VALUES(3,'I','stratified_blocks',0,0);
INSERT INTO allocations VALUES(4,'C','stratified_blocks',0,0);
INSERT INTO allocations VALUES(5,'C','stratified_blocks',0,0);
INSERT INTO allocations VALUES(6,'C','stratified_blocks',0,1);
INSERT INTO allocations VALUES(7,'C','stratified_blocks',0,1);
INSERT INTO allocations VALUES(8,'C','stratified_blocks',0,1);
INSERT INTO allocations VALUES(9,'I','stratified_blocks',0,1);
INSERT INTO allocations VALUES(10,'C','stratified_blocks',0,2);
INSERT INTO allocations VALUES(11,'C','stratified_blocks',1,0);
INSERT INTO allocations VALUES(12,'I','stratified_blocks',0,2);
INSERT INTO allocations VALUES(13,'C','stratified_blocks',0,2);
CREATE TABLE alloc_state (
	purpose  TEXT NOT NULL,          -- the stream purpose: simple, block, ...
	stratum  TEXT NOT NULL,
	counter  INTEGER NOT NULL,       -- current block, or draws made
	position INTEGER NOT NULL,       -- allocations made in the current block
	PRIMARY KEY (purpose, stratum)
);
INSERT INTO alloc_state VALUES('block','{"jobcentre":"nord","sex":"M"}',0,3);
INSERT INTO alloc_state VALUES('block','{"jobcentre":"nord","sex":"F"}',0,3);
INSERT INTO alloc_state VALUES('block','{"jobcentre":"syd","sex":"F"}',1,1);
INSERT INTO alloc_state VALUES('block','{"jobcentre":"syd","sex":"M"}',0,3);
CREATE TABLE caseworkers (
	seq           INTEGER PRIMARY KEY REFERENCES log (seq), -- registration entry
	code          TEXT NOT NULL UNIQUE,
	team          TEXT NOT NULL,
	covariates    TEXT NOT NULL,     -- canonical JSON object
	registered_at TEXT NOT NULL
);
CREATE TABLE caseworker_allocations (
	caseworker INTEGER PRIMARY KEY REFERENCES caseworkers (seq),
	arm        TEXT NOT NULL,
	seq        INTEGER NOT NULL REFERENCES log (seq),
	counter    INTEGER,              -- new hires: block number
	position   INTEGER               -- new hires: place in the block
);
CREATE TABLE randomization (
	seq           INTEGER PRIMARY KEY REFERENCES log (seq),
	method        TEXT NOT NULL,
	beacon        TEXT,              -- the public beacon value mixed in, or NULL
	report        TEXT NOT NULL,     -- canonical JSON: the sizes and ranks logged
	randomized_at TEXT NOT NULL
);
CREATE TABLE transfers (
	seq            INTEGER PRIMARY KEY REFERENCES log (seq),
	participant    INTEGER NOT NULL REFERENCES participants (seq),
	from_caseworker TEXT NOT NULL,
	to_caseworker  TEXT NOT NULL,
	cross_arm      INTEGER,          -- 1: possible contamination; NULL: no cluster arms
	transferred_at TEXT NOT NULL
);
INSERT INTO transfers VALUES(14,2,'CW03','CW09',NULL,'2025-03-10T09:00:00Z');
CREATE TABLE withdrawals (
	seq          INTEGER PRIMARY KEY REFERENCES log (seq),
	participant  INTEGER NOT NULL UNIQUE REFERENCES participants (seq),
	reason       TEXT NOT NULL,
	withdrawn_at TEXT NOT NULL
);
INSERT INTO withdrawals VALUES(15,3,'moved away','2025-03-11T09:00:00Z');
CREATE TABLE minimization_counts (
	factor TEXT NOT NULL,            -- factor name
	level  TEXT NOT NULL,            -- canonical JSON of the level
	arm    TEXT NOT NULL,
	n      INTEGER NOT NULL,
	PRIMARY KEY (factor, level, arm)
);
CREATE TABLE seals (
	seq       INTEGER PRIMARY KEY REFERENCES log (seq),  -- the freeze entry
	note      TEXT NOT NULL,
	sealed_at TEXT NOT NULL,
	signer    TEXT NOT NULL,       -- fingerprint of the public key, hex
	signature TEXT NOT NULL        -- Ed25519 signature, base64
);
INSERT INTO seals VALUES(17,'cohort 1','2025-09-04T09:00:00Z','840169c6d0a4c56be3ab3ac1d012776403ee9273eec24eb0b58bbcb79f85308e','tce91g6qUfsYZal8NwveFLefnTEPa/X+DMAi6YjD08IHwfvtE4KLeJs/Nc/YHRoiqBw88SwX2AI8ktcEMvLzAA==');
CREATE TABLE reveals (
	seq         INTEGER PRIMARY KEY REFERENCES log (seq),
	seed        TEXT NOT NULL,     -- 64 hex digits
	revealed_at TEXT NOT NULL
);
CREATE TABLE schedule (
	participant  INTEGER NOT NULL REFERENCES participants (seq),
	occasion     TEXT NOT NULL,      -- the protocol's follow-up code
	due          TEXT NOT NULL,      -- YYYY-MM-DD, in the trial's time zone
	window_start TEXT NOT NULL,      -- first day of the window
	window_end   TEXT NOT NULL,      -- last day of the window
	caseworker   TEXT NOT NULL,      -- open occasions: the current one
	-- Comparisons, not IN (...): SQLite 3.40 builds an IN list of
	-- more than two values into a temporary table on every insert,
	-- a fifth of the time of enrolling with five follow-ups.
	status       TEXT NOT NULL DEFAULT 'open'
	    CHECK (status = 'open' OR status = 'done' OR status = 'missed'
	    OR status = 'cancelled'),
	outcome      INTEGER REFERENCES log (seq), -- the latest outcome entry
	PRIMARY KEY (participant, occasion)
) WITHOUT ROWID;
INSERT INTO schedule VALUES(2,'m12','2026-03-03','2026-02-17','2026-04-02','CW09','open',NULL);
INSERT INTO schedule VALUES(2,'m24','2027-03-03','2027-02-17','2027-04-02','CW09','open',NULL);
INSERT INTO schedule VALUES(2,'m6','2025-09-03','2025-08-20','2025-10-03','CW09','done',16);
INSERT INTO schedule VALUES(3,'m12','2026-03-03','2026-02-17','2026-04-02','CW01','cancelled',NULL);
INSERT INTO schedule VALUES(3,'m24','2027-03-03','2027-02-17','2027-04-02','CW01','cancelled',NULL);
INSERT INTO schedule VALUES(3,'m6','2025-09-03','2025-08-20','2025-10-03','CW01','cancelled',NULL);
INSERT INTO schedule VALUES(4,'m12','2026-03-03','2026-02-17','2026-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(4,'m24','2027-03-03','2027-02-17','2027-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(4,'m6','2025-09-03','2025-08-20','2025-10-03','CW02','open',NULL);
INSERT INTO schedule VALUES(5,'m12','2026-03-03','2026-02-17','2026-04-02','CW03','open',NULL);
INSERT INTO schedule VALUES(5,'m24','2027-03-03','2027-02-17','2027-04-02','CW03','open',NULL);
INSERT INTO schedule VALUES(5,'m6','2025-09-03','2025-08-20','2025-10-03','CW03','open',NULL);
INSERT INTO schedule VALUES(6,'m12','2026-03-03','2026-02-17','2026-04-02','CW01','open',NULL);
INSERT INTO schedule VALUES(6,'m24','2027-03-03','2027-02-17','2027-04-02','CW01','open',NULL);
INSERT INTO schedule VALUES(6,'m6','2025-09-03','2025-08-20','2025-10-03','CW01','open',NULL);
INSERT INTO schedule VALUES(7,'m12','2026-03-03','2026-02-17','2026-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(7,'m24','2027-03-03','2027-02-17','2027-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(7,'m6','2025-09-03','2025-08-20','2025-10-03','CW02','open',NULL);
INSERT INTO schedule VALUES(8,'m12','2026-03-03','2026-02-17','2026-04-02','CW03','open',NULL);
INSERT INTO schedule VALUES(8,'m24','2027-03-03','2027-02-17','2027-04-02','CW03','open',NULL);
INSERT INTO schedule VALUES(8,'m6','2025-09-03','2025-08-20','2025-10-03','CW03','open',NULL);
INSERT INTO schedule VALUES(9,'m12','2026-03-03','2026-02-17','2026-04-02','CW01','open',NULL);
INSERT INTO schedule VALUES(9,'m24','2027-03-03','2027-02-17','2027-04-02','CW01','open',NULL);
INSERT INTO schedule VALUES(9,'m6','2025-09-03','2025-08-20','2025-10-03','CW01','open',NULL);
INSERT INTO schedule VALUES(10,'m12','2026-03-03','2026-02-17','2026-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(10,'m24','2027-03-03','2027-02-17','2027-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(10,'m6','2025-09-03','2025-08-20','2025-10-03','CW02','open',NULL);
INSERT INTO schedule VALUES(11,'m12','2026-03-03','2026-02-17','2026-04-02','CW03','open',NULL);
INSERT INTO schedule VALUES(11,'m24','2027-03-03','2027-02-17','2027-04-02','CW03','open',NULL);
INSERT INTO schedule VALUES(11,'m6','2025-09-03','2025-08-20','2025-10-03','CW03','open',NULL);
INSERT INTO schedule VALUES(12,'m12','2026-03-03','2026-02-17','2026-04-02','CW01','open',NULL);
INSERT INTO schedule VALUES(12,'m24','2027-03-03','2027-02-17','2027-04-02','CW01','open',NULL);
INSERT INTO schedule VALUES(12,'m6','2025-09-03','2025-08-20','2025-10-03','CW01','open',NULL);
INSERT INTO schedule VALUES(13,'m12','2026-03-03','2026-02-17','2026-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(13,'m24','2027-03-03','2027-02-17','2027-04-02','CW02','open',NULL);
INSERT INTO schedule VALUES(13,'m6','2025-09-03','2025-08-20','2025-10-03','CW02','open',NULL);
CREATE TABLE outcomes (
	seq           INTEGER PRIMARY KEY REFERENCES log (seq),
	participant   INTEGER NOT NULL,
	occasion      TEXT NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('done', 'missed')),
	measured_on   TEXT,              -- done: YYYY-MM-DD
	out_of_window INTEGER CHECK (out_of_window IN (0, 1)), -- done
	measures      TEXT,              -- done: canonical JSON object
	reason        TEXT,              -- missed
	supersedes    INTEGER UNIQUE REFERENCES outcomes (seq),
	recorded_at   TEXT NOT NULL,
	FOREIGN KEY (participant, occasion)
	    REFERENCES schedule (participant, occasion)
);
INSERT INTO outcomes VALUES(16,2,'m6','done','2025-09-03',0,'{"employment":"job","weekly_hours":"37.5","who5":60}',NULL,NULL,'2025-09-03T09:00:00Z');
CREATE TABLE spends (
	seq          INTEGER PRIMARY KEY REFERENCES log (seq),
	participant  INTEGER NOT NULL REFERENCES participants (seq),
	amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
	category     TEXT NOT NULL,
	note         TEXT,
	spent_on     TEXT NOT NULL,      -- YYYY-MM-DD
	recorded_at  TEXT NOT NULL
);
CREATE INDEX caseworker_allocations_seq ON caseworker_allocations (seq);
CREATE INDEX transfers_participant ON transfers (participant);
CREATE TRIGGER log_no_update BEFORE UPDATE ON log
BEGIN
	SELECT RAISE(ABORT, 'the log is append-only: entries are never changed');
END;
CREATE TRIGGER log_no_delete BEFORE DELETE ON log
BEGIN
	SELECT RAISE(ABORT, 'the log is append-only: entries are never removed');
END;
CREATE INDEX schedule_open_due ON schedule (due) WHERE status = 'open';
CREATE INDEX schedule_open_caseworker ON schedule (caseworker, due)
	WHERE status = 'open';
CREATE INDEX outcomes_occasion ON outcomes (participant, occasion);
CREATE INDEX spends_participant ON spends (participant);
COMMIT;
PRAGMA user_version = 4;
