/** Word lists the sample data is made of (issue 9): common British and American names and places. */
export const FIRST_NAMES = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Isabella', 'Rosie', 'Sophia', 'Grace', 'Freya', 'Evie', 'Poppy', 'Emily',
  'Ella', 'Charlotte', 'Harper', 'Aisha', 'Priya', 'Zara', 'Chloe', 'Hannah', 'Maya', 'Ruby', 'Sarah', 'Emma', 'Abigail', 'Elena', 'Fatima',
  'Noah', 'Oliver', 'George', 'Arthur', 'Muhammad', 'Leo', 'Harry', 'Oscar', 'Archie', 'Henry', 'Theo', 'Jack', 'Charlie', 'Thomas', 'James',
  'William', 'Samuel', 'Daniel', 'Ethan', 'Lucas', 'Mason', 'Benjamin', 'Joseph', 'David', 'Rohan', 'Kwame', 'Omar', 'Liam', 'Michael', 'Ryan',
];

export const LAST_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright', 'Thompson', 'Evans', 'Walker',
  'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Khan', 'Lewis', 'Harris', 'Martin', 'Cooper', 'King', 'Baker', 'Hughes',
  'Edwards', 'Turner', 'Hill', 'Moore', 'Clark', 'Ahmed', 'Singh', 'Murphy', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Anderson',
  'Thomas', 'Lee', 'Okafor', 'Nguyen', 'Kowalski', 'Mensah', 'O\'Brien', 'Campbell', 'Stewart', 'Morris', 'Bell', 'Ward', 'Fisher', 'Price',
];

export const COMPANY_HEADS = [
  'Acorn', 'Beacon', 'Bramble', 'Cedar', 'Cobalt', 'Copper', 'Crescent', 'Falcon', 'Fenwick', 'Granite', 'Harbour', 'Heron', 'Juniper', 'Kestrel',
  'Lantern', 'Maple', 'Meridian', 'Northgate', 'Oakridge', 'Orchard', 'Pennine', 'Quarry', 'Riverside', 'Saffron', 'Silverline', 'Summit',
  'Thistle', 'Trident', 'Unity', 'Vantage', 'Westbrook', 'Willow', 'Yew Tree', 'Atlas', 'Bluebell', 'Caldera', 'Driftwood', 'Evergreen', 'Foxglove',
];

export const COMPANY_TAILS = [
  'Logistics', 'Analytics', 'Foods', 'Engineering', 'Software', 'Consulting', 'Health', 'Energy', 'Partners', 'Manufacturing', 'Retail',
  'Media', 'Systems', 'Labs', 'Construction', 'Freight', 'Interiors', 'Robotics', 'Pharma', 'Capital', 'Studios', 'Textiles', 'Brewing',
];

export const COMPANY_SUFFIXES = { GB: ['Ltd', 'Ltd', 'plc', 'LLP', 'Group'], US: ['Inc.', 'LLC', 'Corp.', 'Co.', 'Group'] } as const;

export const JOB_TITLES = [
  'Chief Executive Officer', 'Finance Director', 'Head of Operations', 'Procurement Manager', 'IT Manager', 'Office Manager', 'Sales Director',
  'Marketing Manager', 'Operations Analyst', 'HR Business Partner', 'Project Manager', 'Chief Technology Officer', 'Buyer', 'Facilities Manager',
  'Customer Success Lead', 'Product Owner', 'Managing Director', 'Commercial Manager', 'Data Analyst', 'Purchasing Assistant',
];

export const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Park Road', 'Manor Road', 'Mill Lane', 'Queens Road', 'New Street', 'Main Street', 'Oak Avenue', 'Maple Drive', 'Elm Street', 'Washington Avenue', 'Lake Road'];

/** Towns with a postcode area (GB) or a state and ZIP prefix (US), so an address holds together. */
export const TOWNS = {
  GB: [
    { city: 'Leeds', region: 'West Yorkshire', code: 'LS' }, { city: 'Manchester', region: 'Greater Manchester', code: 'M' },
    { city: 'Bristol', region: 'Bristol', code: 'BS' }, { city: 'Norwich', region: 'Norfolk', code: 'NR' }, { city: 'Cardiff', region: 'Cardiff', code: 'CF' },
    { city: 'Glasgow', region: 'Glasgow City', code: 'G' }, { city: 'Sheffield', region: 'South Yorkshire', code: 'S' }, { city: 'York', region: 'North Yorkshire', code: 'YO' },
    { city: 'Brighton', region: 'East Sussex', code: 'BN' }, { city: 'London', region: 'Greater London', code: 'SE' }, { city: 'Nottingham', region: 'Nottinghamshire', code: 'NG' },
  ],
  US: [
    { city: 'Austin', region: 'TX', code: '787' }, { city: 'Portland', region: 'OR', code: '972' }, { city: 'Denver', region: 'CO', code: '802' },
    { city: 'Boston', region: 'MA', code: '021' }, { city: 'Chicago', region: 'IL', code: '606' }, { city: 'Seattle', region: 'WA', code: '981' },
    { city: 'Atlanta', region: 'GA', code: '303' }, { city: 'Nashville', region: 'TN', code: '372' }, { city: 'Minneapolis', region: 'MN', code: '554' },
  ],
} as const;

/** US area codes in service (libphonenumber accepts numbers in them). */
export const US_AREA_CODES = ['212', '312', '415', '503', '512', '615', '617', '303', '404', '206', '612', '720', '737', '972'];

export const WORDS = [
  'quarterly', 'review', 'renewal', 'pricing', 'proposal', 'follow-up', 'budget', 'timeline', 'contract', 'onboarding', 'training', 'support',
  'requirements', 'feedback', 'delivery', 'invoice', 'meeting', 'agenda', 'options', 'discount', 'pilot', 'rollout', 'sign-off', 'questions',
  'referral', 'schedule', 'update', 'plan', 'visit', 'workshop', 'the', 'next', 'steps', 'for', 'with', 'about', 'agreed', 'call', 'back',
];
