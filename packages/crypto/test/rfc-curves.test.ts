/**
 * Known answers from the RFCs for the curve primitives, through the noble provider:
 * - RFC 7748 §5.2: X25519 / X448 scalar multiplication vectors and the iterated function after 1
 *   and 1,000 iterations. The 1,000,000-iteration values are deliberately not included: they take
 *   minutes in pure JavaScript and add nothing the 1,000-iteration loop does not already check.
 * - RFC 7748 §6.1 / §6.2: the Diffie-Hellman examples (both public keys and the shared secret K).
 * - RFC 8032 §7.1 (Ed25519: TEST 1, 2, 3, 1024, SHA(abc)) and §7.4 (Ed448, every vector without a
 *   context; TLS uses no context): signing gives exactly the listed signature, verification accepts
 *   it, and a modified message, signature or key is rejected, as is S + L (RFC 8032 §5.1.7 / §5.2.7).
 * All values are copied from /work/shared/rfc/rfc7748.txt and rfc8032.txt (sections cited inline).
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble';
import type { KeyExchangeGroup } from '@puretls/crypto';
import { hex, toHex } from '@puretls/test-vectors';
import { ed25519 } from '../src/family-25519.js';
import { ed448 } from '../src/family-448.js';

const provider = createNobleProvider();

// RFC 7748 §5.2, first type of test vector: (scalar, u) -> output u.
const SCALAR_MULT = {
  x25519: [
    {
      scalar: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
      u: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      out: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    },
    {
      scalar: '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
      // The top bit of the last byte is set: RFC 7748 §5 says X25519 must mask it.
      u: 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      out: '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
    },
  ],
  x448: [
    {
      scalar: '3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3',
      u: '06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086',
      out: 'ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f',
    },
    {
      scalar: '203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c538345dd77c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f',
      u: '0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b165d015894e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db',
      out: '884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7ad1b3ee3a5700df34321d62077e63633c575c1c954514e99da7c179d',
    },
  ],
} as const;

// RFC 7748 §5.2, second type: k = u = base point; k <- X(k, u), u <- old k.
const ITERATED = {
  x25519: {
    start: '0900000000000000000000000000000000000000000000000000000000000000',
    one: '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079',
    thousand: '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51',
  },
  x448: {
    start: '0500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
    one: '3f482c8a9f19b01e6c46ee9711d9dc14fd4bf67af30765c2ae2b846a4d23a8cd0db897086239492caf350b51f833868b9bc2b3bca9cf4113',
    thousand: 'aa3b4749d55b9daf1e5b00288826c467274ce3ebbdd5c17b975e09d4af6c67cf10d087202db88286e2b79fceea3ec353ef54faa26e219f38',
  },
} as const;

// RFC 7748 §6.1 (Curve25519) and §6.2 (Curve448).
const DIFFIE_HELLMAN = {
  x25519: {
    a: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    A: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    b: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
    B: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    K: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
  },
  x448: {
    a: '9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b',
    A: '9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0',
    b: '1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d',
    B: '3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609',
    K: '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d',
  },
} as const;

interface EdVector {
  readonly title: string;
  readonly sk: string;
  readonly pk: string;
  readonly msg: string;
  readonly sig: string;
}

// RFC 8032 §7.1, copied from rfc8032.txt (the five vectors of the section).
const ED25519: readonly EdVector[] = [
  {
    title: 'TEST 1',
    sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b' +
      'd25bf5f0595bbe24655141438e7a100b',
  },
  {
    title: 'TEST 2',
    sk: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c' +
      '387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    title: 'TEST 3',
    sk: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    msg: 'af82',
    sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc659' +
      '4a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    title: 'TEST 1024',
    sk: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    pk: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    msg: '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1' +
      'e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d' +
      '658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a' +
      '7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e' +
      '06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10' +
      '3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1' +
      '85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d' +
      '502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270' +
      '88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b' +
      'eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba' +
      'b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b' +
      'e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7' +
      '51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d' +
      'cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df' +
      'f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7' +
      '984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4' +
      '88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09' +
      '43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f' +
      'b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161' +
      '0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d' +
      'b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca' +
      'c60c905c15fc910840b94c00a0b9d0',
    sig: '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b' +
      '5e8fcd4f681e30a6ac00a9704a188a03',
  },
  {
    title: 'TEST SHA(abc)',
    sk: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    pk: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    msg: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd' +
      '454d4423643ce80e2a9ac94fa54ca49f',
    sig: 'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e030' +
      '3dca179c138ac17ad9bef1177331a704',
  },
];

// RFC 8032 §7.4, copied from rfc8032.txt (the context test is left out).
const ED448: readonly EdVector[] = [
  {
    title: 'Blank',
    sk: '6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f' +
      '032e7549a20098f95b',
    pk: '5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6c' +
      'd1fa1abeafe8256180',
    msg: '',
    sig: '533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d78' +
      '28c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4db' +
      'b61149f05a7363268c71d95808ff2e652600',
  },
  {
    title: '1 octet',
    sk: 'c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949e' +
      'f8021e954e0a12274e',
    pk: '43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c' +
      '235160627b4c3a9480',
    msg: '03',
    sig: '26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633' +
      'fc1bf037ab7cd779805e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0f' +
      'f3348ab21aa4adafd1d234441cf807c03a00',
  },
  {
    title: '11 octets',
    sk: 'cd23d24f714274e744343237b93290f511f6425f98e64459ff203e8985083ffdf60500553abc0e05cd02184bdb89c4cc' +
      'd67e187951267eb328',
    pk: 'dcea9e78f35a1bf3499a831b10b86c90aac01cd84b67a0109b55a36e9328b1e365fce161d71ce7131a543ea4cb5f7e9f' +
      '1d8b00696447001400',
    msg: '0c3e544074ec63b0265e0c',
    sig: '1f0a8888ce25e8d458a21130879b840a9089d999aaba039eaf3e3afa090a09d389dba82c4ff2ae8ac5cdfb7c55e94d5d' +
      '961a29fe0109941e00b8dbdeea6d3b051068df7254c0cdc129cbe62db2dc957dbb47b51fd3f213fb8698f064774250a5' +
      '028961c9bf8ffd973fe5d5c206492b140e00',
  },
  {
    title: '12 octets',
    sk: '258cdd4ada32ed9c9ff54e63756ae582fb8fab2ac721f2c8e676a72768513d939f63dddb55609133f29adf86ec9929dc' +
      'cb52c1c5fd2ff7e21b',
    pk: '3ba16da0c6f2cc1f30187740756f5e798d6bc5fc015d7c63cc9510ee3fd44adc24d8e968b6e46e6f94d19b945361726b' +
      'd75e149ef09817f580',
    msg: '64a65f3cdedcdd66811e2915',
    sig: '7eeeab7c4e50fb799b418ee5e3197ff6bf15d43a14c34389b59dd1a7b1b85b4ae90438aca634bea45e3a2695f1270f07' +
      'fdcdf7c62b8efeaf00b45c2c96ba457eb1a8bf075a3db28e5c24f6b923ed4ad747c3c9e03c7079efb87cb110d3a99861' +
      'e72003cbae6d6b8b827e4e6c143064ff3c00',
  },
  {
    title: '13 octets',
    sk: '7ef4e84544236752fbb56b8f31a23a10e42814f5f55ca037cdcc11c64c9a3b2949c1bb60700314611732a6c2fea98eeb' +
      'c0266a11a93970100e',
    pk: 'b3da079b0aa493a5772029f0467baebee5a8112d9d3a22532361da294f7bb3815c5dc59e176b4d9f381ca0938e13c6c0' +
      '7b174be65dfa578e80',
    msg: '64a65f3cdedcdd66811e2915e7',
    sig: '6a12066f55331b6c22acd5d5bfc5d71228fbda80ae8dec26bdd306743c5027cb4890810c162c027468675ecf645a8317' +
      '6c0d7323a2ccde2d80efe5a1268e8aca1d6fbc194d3f77c44986eb4ab4177919ad8bec33eb47bbb5fc6e28196fd1caf5' +
      '6b4e7e0ba5519234d047155ac727a1053100',
  },
  {
    title: '64 octets',
    sk: 'd65df341ad13e008567688baedda8e9dcdc17dc024974ea5b4227b6530e339bff21f99e68ca6968f3cca6dfe0fb9f4fa' +
      'b4fa135d5542ea3f01',
    pk: 'df9705f58edbab802c7f8363cfe5560ab1c6132c20a9f1dd163483a26f8ac53a39d6808bf4a1dfbd261b099bb03b3fb5' +
      '0906cb28bd8a081f00',
    msg: 'bd0f6a3747cd561bdddf4640a332461a4a30a12a434cd0bf40d766d9c6d458e5512204a30c17d1f50b5079631f64eb31' +
      '12182da3005835461113718d1a5ef944',
    sig: '554bc2480860b49eab8532d2a533b7d578ef473eeb58c98bb2d0e1ce488a98b18dfde9b9b90775e67f47d4a1c3482058' +
      'efc9f40d2ca033a0801b63d45b3b722ef552bad3b4ccb667da350192b61c508cf7b6b5adadc2c8d9a446ef003fb05cba' +
      '5f30e88e36ec2703b349ca229c2670833900',
  },
  {
    title: '256 octets',
    sk: '2ec5fe3c17045abdb136a5e6a913e32ab75ae68b53d2fc149b77e504132d37569b7e766ba74a19bd6162343a21c8590a' +
      'a9cebca9014c636df5',
    pk: '79756f014dcfe2079f5dd9e718be4171e2ef2486a08f25186f6bff43a9936b9bfe12402b08ae65798a3d81e22e9ec80e' +
      '7690862ef3d4ed3a00',
    msg: '15777532b0bdd0d1389f636c5f6b9ba734c90af572877e2d272dd078aa1e567cfa80e12928bb542330e8409f31745041' +
      '07ecd5efac61ae7504dabe2a602ede89e5cca6257a7c77e27a702b3ae39fc769fc54f2395ae6a1178cab4738e543072f' +
      'c1c177fe71e92e25bf03e4ecb72f47b64d0465aaea4c7fad372536c8ba516a6039c3c2a39f0e4d832be432dfa9a706a6' +
      'e5c7e19f397964ca4258002f7c0541b590316dbc5622b6b2a6fe7a4abffd96105eca76ea7b98816af0748c10df048ce0' +
      '12d901015a51f189f3888145c03650aa23ce894c3bd889e030d565071c59f409a9981b51878fd6fc110624dcbcde0bf7' +
      'a69ccce38fabdf86f3bef6044819de11',
    sig: 'c650ddbb0601c19ca11439e1640dd931f43c518ea5bea70d3dcde5f4191fe53f00cf966546b72bcc7d58be2b9badef28' +
      '743954e3a44a23f880e8d4f1cfce2d7a61452d26da05896f0a50da66a239a8a188b6d825b3305ad77b73fbac0836ecc6' +
      '0987fd08527c1a8e80d5823e65cafe2a3d00',
  },
  {
    title: '1023 octets',
    sk: '872d093780f5d3730df7c212664b37b8a0f24f56810daa8382cd4fa3f77634ec44dc54f1c2ed9bea86fafb7632d8be19' +
      '9ea165f5ad55dd9ce8',
    pk: 'a81b2e8a70a5ac94ffdbcc9badfc3feb0801f258578bb114ad44ece1ec0e799da08effb81c5d685c0c56f64eecaef8cd' +
      'f11cc38737838cf400',
    msg: '6ddf802e1aae4986935f7f981ba3f0351d6273c0a0c22c9c0e8339168e675412a3debfaf435ed651558007db4384b650' +
      'fcc07e3b586a27a4f7a00ac8a6fec2cd86ae4bf1570c41e6a40c931db27b2faa15a8cedd52cff7362c4e6e23daec0fbc' +
      '3a79b6806e316efcc7b68119bf46bc76a26067a53f296dafdbdc11c77f7777e972660cf4b6a9b369a6665f02e0cc9b6e' +
      'dfad136b4fabe723d2813db3136cfde9b6d044322fee2947952e031b73ab5c603349b307bdc27bc6cb8b8bbd7bd32321' +
      '9b8033a581b59eadebb09b3c4f3d2277d4f0343624acc817804728b25ab797172b4c5c21a22f9c7839d64300232eb66e' +
      '53f31c723fa37fe387c7d3e50bdf9813a30e5bb12cf4cd930c40cfb4e1fc622592a49588794494d56d24ea4b40c89fc0' +
      '596cc9ebb961c8cb10adde976a5d602b1c3f85b9b9a001ed3c6a4d3b1437f52096cd1956d042a597d561a596ecd3d173' +
      '5a8d570ea0ec27225a2c4aaff26306d1526c1af3ca6d9cf5a2c98f47e1c46db9a33234cfd4d81f2c98538a09ebe76998' +
      'd0d8fd25997c7d255c6d66ece6fa56f11144950f027795e653008f4bd7ca2dee85d8e90f3dc315130ce2a00375a318c7' +
      'c3d97be2c8ce5b6db41a6254ff264fa6155baee3b0773c0f497c573f19bb4f4240281f0b1f4f7be857a4e59d416c06b4' +
      'c50fa09e1810ddc6b1467baeac5a3668d11b6ecaa901440016f389f80acc4db977025e7f5924388c7e340a732e554440' +
      'e76570f8dd71b7d640b3450d1fd5f0410a18f9a3494f707c717b79b4bf75c98400b096b21653b5d217cf3565c9597456' +
      'f70703497a078763829bc01bb1cbc8fa04eadc9a6e3f6699587a9e75c94e5bab0036e0b2e711392cff0047d0d6b05bd2' +
      'a588bc109718954259f1d86678a579a3120f19cfb2963f177aeb70f2d4844826262e51b80271272068ef5b3856fa8535' +
      'aa2a88b2d41f2a0e2fda7624c2850272ac4a2f561f8f2f7a318bfd5caf9696149e4ac824ad3460538fdc25421beec2cc' +
      '6818162d06bbed0c40a387192349db67a118bada6cd5ab0140ee273204f628aad1c135f770279a651e24d8c14d75a605' +
      '9d76b96a6fd857def5e0b354b27ab937a5815d16b5fae407ff18222c6d1ed263be68c95f32d908bd895cd76207ae7264' +
      '87567f9a67dad79abec316f683b17f2d02bf07e0ac8b5bc6162cf94697b3c27cd1fea49b27f23ba2901871962506520c' +
      '392da8b6ad0d99f7013fbc06c2c17a569500c8a7696481c1cd33e9b14e40b82e79a5f5db82571ba97bae3ad3e0479515' +
      'bb0e2b0f3bfcd1fd33034efc6245eddd7ee2086ddae2600d8ca73e214e8c2b0bdb2b047c6a464a562ed77b73d2d841c4' +
      'b34973551257713b753632efba348169abc90a68f42611a40126d7cb21b58695568186f7e569d2ff0f9e745d0487dd2e' +
      'b997cafc5abf9dd102e62ff66cba87',
    sig: 'e301345a41a39a4d72fff8df69c98075a0cc082b802fc9b2b6bc503f926b65bddf7f4c8f1cb49f6396afc8a70abe6d8a' +
      'ef0db478d4c6b2970076c6a0484fe76d76b3a97625d79f1ce240e7c576750d295528286f719b413de9ada3e8eb78ed57' +
      '3603ce30d8bb761785dc30dbc320869e1a00',
  },
];

const flip = (b: Uint8Array, index: number, mask = 0x01): Uint8Array => {
  const c = b.slice();
  c[index] = (c[index] as number) ^ mask;
  return c;
};

/** S + L, little-endian in the second half: the same point equation, a non-canonical S. */
function addOrder(sig: Uint8Array, size: number, L: bigint): Uint8Array {
  let s = 0n;
  for (let i = 2 * size - 1; i >= size; i--) s = (s << 8n) | BigInt(sig[i] as number);
  s += L;
  const out = sig.slice();
  for (let i = size; i < 2 * size; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  expect(s).toBe(0n); // still fits
  return out;
}

const L25519 = 2n ** 252n + 27742317777372353535851937790883648493n; // RFC 8032 §5.1
const L448 = 2n ** 446n - 13818066809895115352007386748515426880336692474882178609894547503885n; // RFC 8032 §5.2

describe('RFC 7748 §5.2 scalar multiplication', () => {
  for (const name of ['x25519', 'x448'] as const) {
    const group: KeyExchangeGroup = provider.group(name);
    it(`${name}: the two (scalar, u) vectors give the listed output`, () => {
      for (const v of SCALAR_MULT[name]) expect(toHex(group.sharedSecret(hex(v.scalar), hex(v.u)))).toBe(v.out);
    });
    it(`${name}: the iterated function after 1 and 1,000 iterations`, () => {
      let k = hex(ITERATED[name].start);
      let u = hex(ITERATED[name].start);
      for (let i = 1; i <= 1000; i++) {
        const next = group.sharedSecret(k, u);
        u = k;
        k = next;
        if (i === 1) expect(toHex(k)).toBe(ITERATED[name].one);
      }
      expect(toHex(k)).toBe(ITERATED[name].thousand);
    });
  }
});

describe('RFC 7748 §6 Diffie-Hellman examples', () => {
  for (const name of ['x25519', 'x448'] as const) {
    it(`${name}: both public keys and the shared secret K, from either side`, () => {
      const v = DIFFIE_HELLMAN[name];
      const group = provider.group(name);
      const alice = group.keyPairFromPrivateKey(hex(v.a));
      const bob = group.keyPairFromPrivateKey(hex(v.b));
      expect(toHex(alice.publicKey)).toBe(v.A);
      expect(toHex(bob.publicKey)).toBe(v.B);
      expect(toHex(group.sharedSecret(alice.privateKey, bob.publicKey))).toBe(v.K);
      expect(toHex(group.sharedSecret(bob.privateKey, alice.publicKey))).toBe(v.K);
    });
  }
});

const ED = [
  { alg: 'ed25519', vectors: ED25519, size: 32, L: L25519, derive: ed25519.publicKey, section: '§7.1' },
  { alg: 'ed448', vectors: ED448, size: 57, L: L448, derive: ed448.publicKey, section: '§7.4' },
] as const;

describe('RFC 8032 EdDSA test vectors', () => {
  it('has the vectors the RFC lists (5 for Ed25519, 8 context-free ones for Ed448)', () => {
    expect(ED25519.map((v) => v.title)).toEqual(['TEST 1', 'TEST 2', 'TEST 3', 'TEST 1024', 'TEST SHA(abc)']);
    expect(ED448).toHaveLength(8);
  });
  for (const { alg, vectors, size, L, derive, section } of ED) {
    for (const v of vectors) {
      it(`${alg} ${section} ${v.title}: exact signature, accepted, modifications rejected`, async () => {
        const [seed, pk, msg, sig] = [hex(v.sk), hex(v.pk), hex(v.msg), hex(v.sig)];
        expect(toHex(derive(seed))).toBe(v.pk);
        const signed = await provider.sign({ type: alg }, { kind: alg, seed }, msg);
        expect(toHex(signed)).toBe(v.sig);
        const key = { kind: alg, key: pk } as const;
        expect(await provider.verify({ type: alg }, key, msg, sig)).toBe(true);
        // A flipped bit anywhere that matters: R, S, the message, the key.
        expect(await provider.verify({ type: alg }, key, msg, flip(sig, 0))).toBe(false);
        expect(await provider.verify({ type: alg }, key, msg, flip(sig, size))).toBe(false);
        const longer = new Uint8Array(msg.length + 1);
        longer.set(msg);
        expect(await provider.verify({ type: alg }, key, msg.length > 0 ? flip(msg, msg.length - 1) : longer, sig)).toBe(false);
        expect(await provider.verify({ type: alg }, { kind: alg, key: flip(pk, 1) }, msg, sig)).toBe(false);
        // RFC 8032 §5.1.7 / §5.2.7: S must be < L, so S + L (which satisfies the group equation) fails.
        expect(await provider.verify({ type: alg }, key, msg, addOrder(sig, size, L))).toBe(false);
        // Truncated or extended signatures are simply false.
        expect(await provider.verify({ type: alg }, key, msg, sig.subarray(0, sig.length - 1))).toBe(false);
      });
    }
  }
});
