const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const fs = require('fs'); const path = require('path');
const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
function patched(name){ const b = Buffer.from(fs.readFileSync(path.join(dir,name))); 
 // find memory section id 5
 let p=8; function uleb(){let r=0,s=0,x;do{x=b[p++];r|=(x&0x7f)<<s;s+=7}while(x&0x80);return r>>>0}
 while(p<b.length){const id=b[p++];const len=uleb();const st=p; if(id===5){uleb(); b[p]=3; break;} p=st+len;}
 return 'data:application/wasm;base64,'+b.toString('base64'); }
(async () => {
  if (process.argv[2]==='shared') { const s=patched('tfjs-backend-wasm-simd.wasm'); wasm.setWasmPaths({'tfjs-backend-wasm.wasm':s,'tfjs-backend-wasm-simd.wasm':s,'tfjs-backend-wasm-threaded-simd.wasm':s}, true); }
  const t0 = Date.now();
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  console.log('ok', ok, tf.getBackend(), Date.now()-t0, 'ms');
  const b = tf.backend();
  console.log('shared', b.wasm.asm.memory.buffer instanceof SharedArrayBuffer);
  const a = tf.randomNormal([512, 512]);
  const c = tf.matMul(a, a);
  console.log(c.dataSync()[0]);
  let t = Date.now(); for (let i=0;i<50;i++) tf.matMul(a,a).dispose(); console.log('mm ms', (Date.now()-t)/50);
  // growth
  const big = []; for (let i=0;i<20;i++) big.push(tf.randomNormal([1000,1000]));
  console.log('grown', b.wasm.asm.memory.buffer.byteLength/1e6, b.wasm.HEAPU8.length/1e6, tf.sum(big[19]).dataSync()[0]);
  const x = tf.randomNormal([64,28,28,8]); const f = tf.randomNormal([3,3,8,16]);
  t=Date.now(); for (let i=0;i<20;i++) tf.conv2d(x,f,2,'same').dispose(); console.log('conv ms',(Date.now()-t)/20);
})().catch(e => { console.error('ERR', e); process.exit(1); });
