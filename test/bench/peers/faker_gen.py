"""The source systems' generator, for test/bench/peers.sh: Faker makes job
posts and candidates with the fields of jobstream's contract (the ones
jobstream-gen and jobstream.generate_job_posts/generate_candidates make)
and writes them to stdout as JSON lines, one post for every candidate.

    faker_gen.py N SEED

N records in all (half posts, half candidates).  Faker draws names,
companies, cities, titles and text; categories, skills and levels come from
short lists, as the source systems' producers had them.  It does not
reproduce jobstream's correlations (skills by family, salaries by level and
country): it is the cost of the usual way, not the same data.
"""

import json
import random
import sys
import uuid

from faker import Faker

CATEGORIES = ["Software Engineering", "Data & Analytics", "Sales", "Marketing", "Finance",
              "Healthcare", "Education", "Design", "Operations", "Human Resources"]
SKILLS = ["SQL", "Python", "Java", "C", "Kafka", "Excel", "Communication", "Leadership",
          "Negotiation", "Figma", "Tableau", "AWS", "Docker", "Kubernetes", "Accounting",
          "Teaching", "Nursing", "Salesforce", "SEO", "Project Management"]
LEVELS = ["Intern", "Entry", "Junior", "Mid", "Senior", "Lead", "Director", "Executive"]
EDUCATION = ["High School", "Associate Degree", "Bachelor's Degree", "Master's Degree", "PhD"]


def post(fake, rnd):
    lo = rnd.randrange(30000, 150000, 500)
    return {
        "post_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
        "company": fake.company(),
        "job_title": fake.job(),
        "job_category": rnd.choice(CATEGORIES),
        "industry": fake.bs(),
        "location_country": fake.country(),
        "location_city": fake.city(),
        "description": fake.paragraph(nb_sentences=5),
        "required_skills": rnd.sample(SKILLS, rnd.randint(3, 8)),
        "certifications": [],
        "salary_min": lo,
        "salary_max": lo + rnd.randrange(5000, 60000, 500),
        "experience_level": rnd.choice(LEVELS),
        "min_years_experience": rnd.randint(0, 15),
        "employment_type": rnd.choice(["Full-time", "Part-time", "Contract"]),
        "work_mode": rnd.choice(["On-site", "Hybrid", "Remote"]),
        "posted_date": fake.date_between("-180d", "today").isoformat(),
        "deadline_date": fake.date_between("today", "+60d").isoformat(),
    }


def candidate(fake, rnd):
    return {
        "candidate_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
        "full_name": fake.name(),
        "gender": rnd.choice(["Female", "Male"]),
        "birth_year": rnd.randint(1960, 2006),
        "nationality": fake.country(),
        "location_country": fake.country(),
        "location_city": fake.city(),
        "education_level": rnd.choice(EDUCATION),
        "graduation_year": rnd.randint(1980, 2025),
        "gpa": round(rnd.uniform(2.0, 4.0), 2),
        "job_category": rnd.choice(CATEGORIES),
        "current_company": fake.company(),
        "previous_companies": [fake.company() for _ in range(rnd.randint(0, 3))],
        "skills": rnd.sample(SKILLS, rnd.randint(3, 10)),
        "certifications": [],
        "experience_level": rnd.choice(LEVELS),
        "years_experience": rnd.randint(0, 30),
        "current_salary": rnd.randrange(20000, 200000, 500),
        "expected_salary": rnd.randrange(25000, 250000, 500),
    }


def main(argv):
    n, seed = int(argv[1]), int(argv[2])
    fake = Faker()
    Faker.seed(seed)
    rnd = random.Random(seed)
    out = sys.stdout
    for i in range(n):
        out.write(json.dumps(post(fake, rnd) if i % 2 == 0 else candidate(fake, rnd)))
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
