import { startLocalPeers } from "./dev/peers";
void (async () => { const t=Date.now(); const p = await startLocalPeers({ tables: ["aaa"], expectedDiamond: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853" }); console.log(Date.now()-t, p.fixture.diamond, p.seller, p.offerId, p.signer); await p.stop(); })();
