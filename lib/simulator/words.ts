// Word lists for the simulated portal. Small on purpose: the data must look plausible, not be varied.

export const FIRST_NAMES = [
  'Amara', 'Bram', 'Chen', 'Daria', 'Emeka', 'Fatima', 'Gustav', 'Hana', 'Ines', 'Jonas', 'Kavya', 'Luis',
  'Mei', 'Noor', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tariq', 'Ugo', 'Vera', 'Wen', 'Yusuf', 'Zofia',
];

export const LAST_NAMES = [
  'Adeyemi', 'Bakker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jansen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Sato', 'Tanaka', 'Varga',
];

export const COMPANIES = [
  'Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Wingtip', 'Litware', 'Proseware', 'Adatum', 'Lucerne',
  'Fourth Coffee', 'Alpine Ski', 'Blue Yonder', 'Coho Vineyard', 'Margie Travel', 'Trey Research',
];

export const SUBJECTS = [
  'Cannot log in to the portal', 'Invoice shows the wrong amount', 'Password reset email never arrives',
  'Order arrived damaged', 'Request to change the billing address', 'App crashes on start', 'Refund request',
  'Question about the enterprise plan', 'Export to CSV is empty', 'Two-factor code not accepted',
  'Delivery is late', 'Feature request: dark mode', 'API returns 500 on save', 'Cancel my subscription',
  'Wrong item shipped', 'Cannot upload attachments', 'Sync with calendar stopped', 'Discount code rejected',
];

export const TAG_NAMES = ['billing', 'login', 'shipping', 'refund', 'bug', 'feature', 'urgent', 'vip', 'api', 'mobile'];

export const DEPARTMENT_NAMES = ['Support', 'Billing', 'Sales', 'Logistics', 'Partners', 'Enterprise', 'Mobile', 'Platform'];
