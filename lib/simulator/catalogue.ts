import { iso } from './times.js';
import type { Portal } from './dataset.js';
import { makeId } from './dataset.js';
import { Random } from './random.js';
import { SUBJECTS } from './words.js';

/**
 * Products, contracts and knowledge-base articles (Product.json, Contract.json, Article.json and Search.json
 * @83b5c18), generated once with the portal from a stream of the seed of their own: the older data's draws stay.
 */

export interface Product {
  id: string;
  productName: string;
  productCode: string;
  unitPrice: string;
  departmentIds: string[];
  ownerId: string;
  createdTime: number;
  modifiedTime: number;
}
export interface Contract {
  id: string;
  contractName: string;
  accountId: string;
  productId: string | null;
  departmentId: string;
  ownerId: string;
  startDate: number;
  endDate: number;
  /** as of the portal's generation */
  contractStatus: 'ACTIVE' | 'EXPIRED' | 'FUTURE';
}
export interface Article {
  id: string;
  title: string;
  departmentId: string;
  categoryId: string;
  authorId: string;
  status: 'Published' | 'Draft';
  createdTime: number;
  modifiedTime: number;
  viewCount: number;
}
export interface Catalogue {
  products: Product[];
  contracts: Contract[];
  articles: Article[];
}

const DAY = 86_400_000;
const PRODUCT_NAMES = ['Router', 'Switch', 'Access point', 'Modem', 'Firewall', 'Repeater', 'Antenna', 'Cable kit'];

export function generateCatalogue(portal: Portal, now: number): Catalogue {
  const rnd = Random.derive(portal.seed, 31);
  const size = portal.tickets.length;
  const agents = portal.agents.slice(0, 5);
  const when = () => now - rnd.int(2, 400) * DAY;
  const products = Array.from({ length: 6 + Math.ceil(size / 500) }, (_, n): Product => {
    const createdTime = when();
    return {
      id: makeId(portal.idPrefix, 'product', n + 1),
      productName: `${rnd.pick(PRODUCT_NAMES)} ${100 + n}`,
      productCode: `P-${1000 + n}`,
      unitPrice: `${rnd.int(5, 900)}.${rnd.int(0, 9)}`,
      departmentIds: portal.departments.filter(() => rnd.chance(0.6)).map((d) => d.id),
      ownerId: rnd.pick(agents).id,
      createdTime,
      modifiedTime: Math.min(now, createdTime + rnd.int(0, 30) * DAY),
    };
  });
  const contracts = portal.accounts.slice(0, 40).flatMap((account, n): Contract[] => {
    if (!rnd.chance(0.4)) return [];
    const startDate = Math.floor(when() / DAY) * DAY;
    return [
      {
        id: makeId(portal.idPrefix, 'contract', n + 1),
        contractName: `${account.accountName} support`,
        accountId: account.id,
        productId: rnd.chance(0.5) ? rnd.pick(products).id : null,
        departmentId: rnd.pick(portal.departments).id,
        ownerId: rnd.pick(agents).id,
        startDate,
        endDate: startDate + 365 * DAY,
        contractStatus: startDate + 365 * DAY < now ? 'EXPIRED' : 'ACTIVE',
      },
    ];
  });
  const articles = Array.from({ length: 10 + Math.ceil(size / 200) }, (_, n): Article => {
    const createdTime = when();
    return {
      id: makeId(portal.idPrefix, 'article', n + 1),
      title: `How to: ${rnd.pick(SUBJECTS).toLowerCase()}`,
      departmentId: rnd.pick(portal.departments).id,
      categoryId: makeId(portal.idPrefix, 'article', 900_000 + rnd.int(1, 3)),
      authorId: rnd.pick(agents).id,
      status: rnd.chance(0.8) ? 'Published' : 'Draft',
      createdTime,
      modifiedTime: Math.min(now, createdTime + rnd.int(0, 60) * DAY),
      viewCount: rnd.int(0, 5000),
    };
  });
  return { products, contracts, articles };
}

/** GET /products/search items (Search.json@83b5c18 searchProducts): the single product's fields. */
export function productJson(portal: Portal, p: Product) {
  return {
    id: p.id,
    productName: p.productName,
    productCode: p.productCode,
    unitPrice: p.unitPrice,
    departmentIds: p.departmentIds,
    ownerId: p.ownerId,
    productCategory: null,
    manufacturer: null,
    description: null,
    layoutId: `${portal.idPrefix}000000074018`,
    cf: {},
    customFields: {},
    createdBy: p.ownerId,
    modifiedBy: p.ownerId,
    createdTime: iso(p.createdTime),
    modifiedTime: iso(p.modifiedTime),
  };
}

/** GET /contracts items (Contract.json@83b5c18 listAllContractData): start and end dates as epoch ms, as its example. */
export function contractJson(c: Contract) {
  return {
    id: c.id,
    contractName: c.contractName,
    contractStatus: c.contractStatus,
    accountId: c.accountId,
    productId: c.productId,
    departmentId: c.departmentId,
    ownerId: c.ownerId,
    associatedSLAId: null,
    startDate: c.startDate,
    endDate: c.endDate,
    supportPlan: null,
  };
}

/** GET /articles and /articles/search items (Article.json@83b5c18 articleNewJson, as its example). */
export function articleJson(portal: Portal, a: Article) {
  const author = portal.agentsById.get(a.authorId);
  const person = author
    ? { photoURL: null, name: `${author.firstName} ${author.lastName}`, id: author.id, status: 'ACTIVE', zuid: author.zuid }
    : null;
  const slug = a.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    id: a.id,
    title: a.title,
    summary: `${a.title}.`,
    status: a.status,
    latestVersionStatus: a.status,
    departmentId: a.departmentId,
    categoryId: a.categoryId,
    rootCategoryId: a.categoryId,
    category: { name: 'General', id: a.categoryId, locale: 'en' },
    authorId: a.authorId,
    ownerId: a.authorId,
    creatorId: a.authorId,
    modifierId: a.authorId,
    author: person,
    owner: person,
    createdBy: person,
    modifiedBy: person,
    permission: 'ALL',
    locale: 'en',
    sourceLocale: 'en',
    translationState: 'UP-TO-DATE',
    translationId: a.id,
    latestVersion: '1.0',
    latestPublishedVersion: a.status === 'Published' ? '1.0' : null,
    viewCount: String(a.viewCount),
    likeCount: '0',
    dislikeCount: '0',
    feedbackCount: '0',
    commentCount: '0',
    attachmentCount: '0',
    usageCount: '0',
    position: '1',
    isTrashed: false,
    isTemplate: false,
    permalink: slug,
    webUrl: `https://desk.zoho.com/support/${portal.org.portalName}/ShowHomePage.do#Solutions/dv/${a.id}/en`,
    portalUrl: `https://desk.zoho.com/portal/${portal.org.portalName}/en/kb/articles/${slug}`,
    createdTime: iso(a.createdTime),
    modifiedTime: iso(a.modifiedTime),
  };
}
